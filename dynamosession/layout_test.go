package dynamosession_test

import (
	"encoding/json"
	"fmt"
	"slices"
	"strconv"
	"strings"
	"testing"
	"time"

	"github.com/agentsession/agentsession"
	"github.com/agentsession/agentsession/dynamosession"
	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/service/dynamodb"
	"github.com/aws/aws-sdk-go-v2/service/dynamodb/types"
)

// TestCompatReadsReferenceItem plants an item as the reference Python package
// writes it (json.dumps spacing, no version attribute) and reads, appends to
// and pops it.
func TestCompatReadsReferenceItem(t *testing.T) {
	c := client(t)
	b := newBackend(t, c, dynamosession.Options{Layout: dynamosession.CompatLayout})
	expires := time.Now().Add(time.Hour).Unix()
	_, err := c.PutItem(t.Context(), &dynamodb.PutItemInput{
		TableName: aws.String(b.Table()),
		Item: map[string]types.AttributeValue{
			"session_id":        &types.AttributeValueMemberS{Value: "user-123"},
			"conversation_data": &types.AttributeValueMemberS{Value: `[{"role": "user", "content": "Hello"}, {"role": "assistant", "content": "Hi there!"}]`},
			"updated_at":        &types.AttributeValueMemberN{Value: strconv.FormatInt(time.Now().Unix(), 10)},
			"ttl":               &types.AttributeValueMemberN{Value: strconv.FormatInt(expires, 10)},
		},
	})
	if err != nil {
		t.Fatal(err)
	}
	s, err := agentsession.New(b, "user-123", nil)
	if err != nil {
		t.Fatal(err)
	}
	got, err := s.GetItems(t.Context(), 0)
	if err != nil {
		t.Fatal(err)
	}
	want := []string{`{"role":"user","content":"Hello"}`, `{"role":"assistant","content":"Hi there!"}`}
	if len(got) != 2 || compact(t, got[0]) != want[0] || compact(t, got[1]) != want[1] {
		t.Fatalf("GetItems: %s, want %s", got, want)
	}
	// An add with no TTL keeps the item's expiry.
	if err := s.AddItems(t.Context(), []json.RawMessage{json.RawMessage(`{"role":"user","content":"again"}`)}); err != nil {
		t.Fatal(err)
	}
	page, _, err := agentsession.List(t.Context(), b, "", 10)
	if err != nil || len(page) != 1 || page[0].Items != 3 || page[0].TTL <= 59*time.Minute || page[0].TTL > time.Hour {
		t.Fatalf("List: %+v, %v; want user-123 with 3 items and about 1h left", page, err)
	}
	last, err := s.PopItem(t.Context())
	if err != nil || string(last) != `{"role":"user","content":"again"}` {
		t.Fatalf("PopItem: %s, %v", last, err)
	}
}

// TestCompatWritesReferenceShape checks the attributes that compat mode
// writes: the reference package's, plus version.
func TestCompatWritesReferenceShape(t *testing.T) {
	c := client(t)
	b := newBackend(t, c, dynamosession.Options{Layout: dynamosession.CompatLayout})
	s, err := agentsession.New(b, "shape", &agentsession.Options{TTL: time.Hour})
	if err != nil {
		t.Fatal(err)
	}
	items := []json.RawMessage{json.RawMessage(`{"role":"user","content":"a"}`), json.RawMessage(`{"role":"assistant","content":"b"}`)}
	before := time.Now()
	if err := s.AddItems(t.Context(), items); err != nil {
		t.Fatal(err)
	}
	out, err := c.GetItem(t.Context(), &dynamodb.GetItemInput{
		TableName: aws.String(b.Table()),
		Key:       map[string]types.AttributeValue{"session_id": &types.AttributeValueMemberS{Value: "shape"}},
	})
	if err != nil {
		t.Fatal(err)
	}
	var names []string
	for k := range out.Item {
		names = append(names, k)
	}
	slices.Sort(names)
	if want := []string{"conversation_data", "session_id", "ttl", "updated_at", "version"}; !slices.Equal(names, want) {
		t.Fatalf("attributes %v, want %v", names, want)
	}
	data, ok := out.Item["conversation_data"].(*types.AttributeValueMemberS)
	if !ok {
		t.Fatalf("conversation_data is %T, want a string", out.Item["conversation_data"])
	}
	var arr []map[string]any
	if err := json.Unmarshal([]byte(data.Value), &arr); err != nil || len(arr) != 2 || arr[1]["content"] != "b" {
		t.Fatalf("conversation_data %s: %v", data.Value, err)
	}
	for name, lo := range map[string]time.Time{"ttl": before.Add(time.Hour), "updated_at": before} {
		n, ok := out.Item[name].(*types.AttributeValueMemberN)
		if !ok {
			t.Fatalf("%s is %T, want a number", name, out.Item[name])
		}
		f, err := strconv.ParseFloat(n.Value, 64)
		if err != nil || f < float64(lo.Unix()) || f > float64(lo.Unix()+60) {
			t.Fatalf("%s = %s, want epoch seconds near %d", name, n.Value, lo.Unix())
		}
	}
}

// TestLongHistory stores over 400 KB in one session, past what one
// DynamoDB item can hold, in the item layout.
func TestLongHistory(t *testing.T) {
	b := newBackend(t, client(t), dynamosession.Options{})
	s, err := agentsession.New(b, "long", nil)
	if err != nil {
		t.Fatal(err)
	}
	pad := strings.Repeat("x", 1000)
	var all []json.RawMessage
	for batch := range 10 {
		items := make([]json.RawMessage, 100)
		for i := range items {
			items[i] = json.RawMessage(fmt.Sprintf(`{"n":%d,"pad":%q}`, batch*100+i, pad))
		}
		if err := s.AddItems(t.Context(), items); err != nil {
			t.Fatal(err)
		}
		all = append(all, items...)
	}
	got, err := s.GetItems(t.Context(), 0)
	if err != nil || len(got) != len(all) {
		t.Fatalf("GetItems: %d items, %v; want %d", len(got), err, len(all))
	}
	for i := range got {
		if string(got[i]) != string(all[i]) {
			t.Fatalf("item %d: %.40s, want %.40s", i, got[i], all[i])
		}
	}
	got, err = s.GetItems(t.Context(), 3)
	if err != nil || len(got) != 3 || string(got[2]) != string(all[999]) {
		t.Fatalf("GetItems(3): %d items, %v", len(got), err)
	}
}

// TestBinaryIDs stores sessions whose IDs are not UTF-8 or hold NUL bytes
// apart, in the item layout, and lists them by their exact bytes.
func TestBinaryIDs(t *testing.T) {
	b := newBackend(t, client(t), dynamosession.Options{})
	ids := []string{"a\x00b", "a\x00c", "\xff", "\xff\xfe", "a", "\x00"}
	for i, id := range ids {
		s, err := agentsession.New(b, id, nil)
		if err != nil {
			t.Fatal(err)
		}
		for range i + 1 {
			if err := s.AddItems(t.Context(), []json.RawMessage{json.RawMessage(fmt.Sprintf(`{"n":%d}`, i))}); err != nil {
				t.Fatal(err)
			}
		}
	}
	for i, id := range ids {
		got, err := b.Items(t.Context(), id, 0)
		if err != nil || len(got) != i+1 {
			t.Fatalf("session %q: %d items, %v; want %d", id, len(got), err, i+1)
		}
	}
	listed := map[string]int{}
	cursor := ""
	for {
		page, next, err := agentsession.List(t.Context(), b, cursor, 2)
		if err != nil {
			t.Fatal(err)
		}
		for _, info := range page {
			listed[info.ID] = info.Items
		}
		if next == "" {
			break
		}
		cursor = next
	}
	for i, id := range ids {
		if listed[id] != i+1 {
			t.Fatalf("listed %v, want %q with %d items", listed, id, i+1)
		}
	}
	if len(listed) != len(ids) {
		t.Fatalf("listed %d sessions, want %d", len(listed), len(ids))
	}
}

// TestCompatRejectsNonUTF8 checks the compat layout's error for an ID a
// DynamoDB string cannot hold.
func TestCompatRejectsNonUTF8(t *testing.T) {
	b, err := dynamosession.New(&dynamodb.Client{}, &dynamosession.Options{Layout: dynamosession.CompatLayout})
	if err != nil {
		t.Fatal(err)
	}
	if err := b.Append(t.Context(), "\xff", [][]byte{[]byte(`{}`)}, 0); err != dynamosession.ErrInvalidUTF8ID {
		t.Fatalf("Append with a non-UTF-8 ID: %v, want ErrInvalidUTF8ID", err)
	}
}

func compact(t *testing.T, raw json.RawMessage) string {
	t.Helper()
	var m map[string]any
	if err := json.Unmarshal(raw, &m); err != nil {
		t.Fatal(err)
	}
	// Key order matters for the comparison: role before content.
	return fmt.Sprintf(`{"role":%q,"content":%q}`, m["role"], m["content"])
}
