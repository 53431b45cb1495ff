package openaisession_test

import (
	"context"
	"encoding/json"
	"errors"
	"os"
	"testing"

	"github.com/agentsession/agentsession"
	"github.com/agentsession/agentsession/internal/testenv"
	"github.com/agentsession/agentsession/openaisession"
	"github.com/agentsession/agentsession/redissession"
	"github.com/agentsession/agentsession/sessiontest"
	"github.com/openai/openai-go/v3/responses"
)

// agentsSession is the session interface of the Go ports of the OpenAI Agents
// SDK, declared here as they declare it.
type agentsSession interface {
	SessionID(ctx context.Context) string
	GetItems(ctx context.Context, limit int) ([]responses.ResponseInputItemUnionParam, error)
	AddItems(ctx context.Context, items []responses.ResponseInputItemUnionParam) error
	PopItem(ctx context.Context) (*responses.ResponseInputItemUnionParam, error)
	ClearSession(ctx context.Context) error
}

// A *Session is such a session, checked when this file compiles.
var _ agentsSession = (*openaisession.Session)(nil)

// kinds reads testdata/items.json: one item of every kind.
func kinds(t testing.TB) (names []string, items []json.RawMessage) {
	t.Helper()
	b, err := os.ReadFile("testdata/items.json")
	if err != nil {
		t.Fatal(err)
	}
	var rows []struct {
		Name string          `json:"name"`
		Item json.RawMessage `json:"item"`
	}
	if err := json.Unmarshal(b, &rows); err != nil {
		t.Fatal(err)
	}
	for _, r := range rows {
		names = append(names, r.Name)
		items = append(items, r.Item)
	}
	return names, items
}

// newSession returns a typed session on the test redis-server, with a key
// prefix of its own, and its backend.
func newSession(t *testing.T, id string, opts *agentsession.Options) (*openaisession.Session, *redissession.Backend) {
	t.Helper()
	client := testenv.Redis(t)
	store, err := redissession.New(client, &redissession.Options{KeyPrefix: sessiontest.UniquePrefix(t)})
	if err != nil {
		t.Fatal(err)
	}
	s, err := openaisession.New(store, id, opts)
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { client.Unlink(context.Background(), store.Key(id)) })
	return s, store
}

func decodeAll(t *testing.T, raw []json.RawMessage) []responses.ResponseInputItemUnionParam {
	t.Helper()
	out := make([]responses.ResponseInputItemUnionParam, len(raw))
	for i, r := range raw {
		u, err := openaisession.Decode(r)
		if err != nil {
			t.Fatal(err)
		}
		out[i] = u
	}
	return out
}

// sameItems fails t unless got and want marshal to the same JSON, item by item.
func sameItems(t *testing.T, names []string, got []responses.ResponseInputItemUnionParam, want []json.RawMessage) {
	t.Helper()
	if len(got) != len(want) {
		t.Fatalf("got %d items, want %d", len(got), len(want))
	}
	for i := range got {
		b, err := json.Marshal(got[i])
		if err != nil {
			t.Fatal(err)
		}
		if !jsonEqual(t, b, want[i]) {
			t.Errorf("%s: read back as\n %s\nwant\n %s", names[i], b, want[i])
		}
	}
}

func jsonEqual(t *testing.T, a, b []byte) bool {
	t.Helper()
	var x, y any
	if err := json.Unmarshal(a, &x); err != nil {
		t.Fatal(err)
	}
	if err := json.Unmarshal(b, &y); err != nil {
		t.Fatal(err)
	}
	xs, _ := json.Marshal(x)
	ys, _ := json.Marshal(y)
	return string(xs) == string(ys)
}

// TestRoundTripEveryKind writes one item of every kind through the typed
// session, reads them back and marshals them again: the same JSON.
func TestRoundTripEveryKind(t *testing.T) {
	ctx := t.Context()
	s, _ := newSession(t, "kinds", nil)
	names, raw := kinds(t)
	if err := s.AddItems(ctx, decodeAll(t, raw)); err != nil {
		t.Fatal(err)
	}
	got, err := s.GetItems(ctx, 0)
	if err != nil {
		t.Fatal(err)
	}
	sameItems(t, names, got, raw)
	if id := s.SessionID(ctx); id != "kinds" {
		t.Fatalf("SessionID = %q", id)
	}
	for i := len(raw) - 1; i >= len(raw)-3; i-- {
		item, err := s.PopItem(ctx)
		if err != nil || item == nil {
			t.Fatalf("PopItem: %v, %v", item, err)
		}
		sameItems(t, names[i:i+1], []responses.ResponseInputItemUnionParam{*item}, raw[i:i+1])
	}
	if err := s.ClearSession(ctx); err != nil {
		t.Fatal(err)
	}
	if item, err := s.PopItem(ctx); item != nil || err != nil {
		t.Fatalf("PopItem on a cleared session: %v, %v", item, err)
	}
}

// TestLimitKeepsToolCalls reads the newest items of a history whose cut would
// split a function call from its output: the window reaches back to the call
// and its reasoning item.
func TestLimitKeepsToolCalls(t *testing.T) {
	ctx := t.Context()
	s, _ := newSession(t, "tools", nil)
	hist := []string{
		`{"role":"user","content":"What is 2+3?"}`,
		`{"type":"reasoning","id":"rs_1","summary":[]}`,
		`{"type":"function_call","id":"fc_1","call_id":"call_1","name":"add_numbers","arguments":"{\"a\":2,\"b\":3}"}`,
		`{"type":"function_call_output","call_id":"call_1","output":"5"}`,
		`{"type":"message","id":"msg_1","role":"assistant","status":"completed","content":[{"type":"output_text","text":"5","annotations":[]}]}`,
	}
	var raw []json.RawMessage
	for _, h := range hist {
		raw = append(raw, json.RawMessage(h))
	}
	if err := s.Raw().AddItems(ctx, raw); err != nil {
		t.Fatal(err)
	}
	for limit, want := range map[int]int{1: 1, 2: 4, 3: 4, 4: 4, 5: 5, 50: 5} {
		got, err := s.GetItems(ctx, limit)
		if err != nil {
			t.Fatal(err)
		}
		if len(got) != want {
			t.Errorf("GetItems(%d): %d items, want %d", limit, len(got), want)
			continue
		}
		sameItems(t, make([]string, want), got, raw[len(raw)-want:])
	}
}

func TestAddItemsRejectsEmptyUnion(t *testing.T) {
	ctx := t.Context()
	s, _ := newSession(t, "bad", nil)
	items := decodeAll(t, []json.RawMessage{json.RawMessage(`{"role":"user","content":"ok"}`)})
	items = append(items, responses.ResponseInputItemUnionParam{})
	err := s.AddItems(ctx, items)
	var ie *agentsession.ItemError
	if !errors.As(err, &ie) || ie.Index != 1 || !errors.Is(err, agentsession.ErrInvalidItem) {
		t.Fatalf("AddItems with an empty union at 1: %v, want an ItemError at index 1", err)
	}
	if got, _ := s.GetItems(ctx, 0); len(got) != 0 {
		t.Fatalf("a rejected batch left %d items", len(got))
	}
}

func TestNilSessionDoesNotPanic(t *testing.T) {
	var s *openaisession.Session
	ctx := t.Context()
	_, getErr := s.GetItems(ctx, 3)
	_, popErr := s.PopItem(ctx)
	for _, err := range []error{getErr, popErr, s.AddItems(ctx, nil), s.ClearSession(ctx)} {
		if !errors.Is(err, agentsession.ErrNilBackend) {
			t.Fatalf("got %v, want ErrNilBackend", err)
		}
	}
	if id := s.SessionID(ctx); id != "" {
		t.Fatalf("SessionID of nil = %q", id)
	}
}
