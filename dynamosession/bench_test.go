package dynamosession_test

import (
	"encoding/json"
	"strconv"
	"testing"

	"github.com/agentsession/agentsession"
	"github.com/agentsession/agentsession/dynamosession"
	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/service/dynamodb"
	"github.com/aws/aws-sdk-go-v2/service/dynamodb/types"
)

// The benchmarks run each operation through a Session on the item layout
// and, as Raw, the same DynamoDB requests made straight with the SDK (no
// conditions, retries or checks), so the ratio is this package's overhead:
//
//	go test -run '^$' -bench . -benchtime 300x ./dynamosession

var benchItem = json.RawMessage(`{"role":"user","content":"benchmark item with some text in it"}`)

type rawSession struct {
	c     *dynamodb.Client
	table string
	id    []byte
}

func (r rawSession) key(pos int64) map[string]types.AttributeValue {
	return map[string]types.AttributeValue{"session_id": &types.AttributeValueMemberB{Value: r.id}, "pos": &types.AttributeValueMemberN{Value: strconv.FormatInt(pos, 10)}}
}

func (r rawSession) meta(b *testing.B) (lo, next int64) {
	out, err := r.c.GetItem(b.Context(), &dynamodb.GetItemInput{TableName: &r.table, Key: r.key(0), ConsistentRead: aws.Bool(true)})
	if err != nil {
		b.Fatal(err)
	}
	n := func(k string) int64 {
		v, _ := out.Item[k].(*types.AttributeValueMemberN)
		if v == nil {
			return 1
		}
		x, _ := strconv.ParseInt(v.Value, 10, 64)
		return x
	}
	return n("lo"), n("next")
}

func (r rawSession) add(b *testing.B) {
	_, next := r.meta(b)
	item := r.key(next)
	item["item"] = &types.AttributeValueMemberB{Value: benchItem}
	if _, err := r.c.PutItem(b.Context(), &dynamodb.PutItemInput{TableName: &r.table, Item: item}); err != nil {
		b.Fatal(err)
	}
	_, err := r.c.UpdateItem(b.Context(), &dynamodb.UpdateItemInput{
		TableName: &r.table, Key: r.key(0), UpdateExpression: aws.String("SET #n = :n, lo = if_not_exists(lo, :one)"),
		ExpressionAttributeNames:  map[string]string{"#n": "next"},
		ExpressionAttributeValues: map[string]types.AttributeValue{":n": &types.AttributeValueMemberN{Value: strconv.FormatInt(next+1, 10)}, ":one": &types.AttributeValueMemberN{Value: "1"}},
	})
	if err != nil {
		b.Fatal(err)
	}
}

func (r rawSession) get(b *testing.B, limit int64) int {
	lo, next := r.meta(b)
	from := lo
	if limit > 0 {
		from = max(lo, next-limit)
	}
	out, err := r.c.Query(b.Context(), &dynamodb.QueryInput{
		TableName: &r.table, ConsistentRead: aws.Bool(true),
		KeyConditionExpression:    aws.String("session_id = :id AND pos BETWEEN :a AND :b"),
		ExpressionAttributeValues: map[string]types.AttributeValue{":id": &types.AttributeValueMemberB{Value: r.id}, ":a": &types.AttributeValueMemberN{Value: strconv.FormatInt(from, 10)}, ":b": &types.AttributeValueMemberN{Value: strconv.FormatInt(next-1, 10)}},
	})
	if err != nil {
		b.Fatal(err)
	}
	return len(out.Items)
}

func (r rawSession) pop(b *testing.B) {
	_, next := r.meta(b)
	if _, err := r.c.GetItem(b.Context(), &dynamodb.GetItemInput{TableName: &r.table, Key: r.key(next - 1), ConsistentRead: aws.Bool(true)}); err != nil {
		b.Fatal(err)
	}
	_, err := r.c.UpdateItem(b.Context(), &dynamodb.UpdateItemInput{
		TableName: &r.table, Key: r.key(0), UpdateExpression: aws.String("SET #n = :n"),
		ExpressionAttributeNames:  map[string]string{"#n": "next"},
		ExpressionAttributeValues: map[string]types.AttributeValue{":n": &types.AttributeValueMemberN{Value: strconv.FormatInt(next-1, 10)}},
	})
	if err != nil {
		b.Fatal(err)
	}
	if _, err := r.c.DeleteItem(b.Context(), &dynamodb.DeleteItemInput{TableName: &r.table, Key: r.key(next - 1)}); err != nil {
		b.Fatal(err)
	}
}

// fill returns a session id holding n items.
func fill(b *testing.B, s *agentsession.Session, n int) {
	items := make([]json.RawMessage, n)
	for i := range items {
		items[i] = benchItem
	}
	if err := s.AddItems(b.Context(), items); err != nil {
		b.Fatal(err)
	}
}

func benchSetup(b *testing.B, id string, n int) (*agentsession.Session, rawSession) {
	c := client(b)
	be := newBackend(b, c, dynamosession.Options{})
	s, err := agentsession.New(be, id, nil)
	if err != nil {
		b.Fatal(err)
	}
	if n > 0 {
		fill(b, s, n)
	}
	return s, rawSession{c: c, table: be.Table(), id: []byte(id)}
}

func BenchmarkAddItems1(b *testing.B) {
	b.Run("Session", func(b *testing.B) {
		s, _ := benchSetup(b, "add", 0)
		for b.Loop() {
			if err := s.AddItems(b.Context(), []json.RawMessage{benchItem}); err != nil {
				b.Fatal(err)
			}
		}
	})
	b.Run("Raw", func(b *testing.B) {
		_, r := benchSetup(b, "add", 0)
		for b.Loop() {
			r.add(b)
		}
	})
}

func benchGet(b *testing.B, stored, limit int) {
	b.Run("Session", func(b *testing.B) {
		s, _ := benchSetup(b, "get", stored)
		for b.Loop() {
			got, err := s.GetItems(b.Context(), limit)
			if err != nil || len(got) != min(stored, max(limit, stored*(1-min(limit, 1)))) {
				b.Fatalf("GetItems: %d, %v", len(got), err)
			}
		}
	})
	b.Run("Raw", func(b *testing.B) {
		_, r := benchSetup(b, "get", stored)
		for b.Loop() {
			r.get(b, int64(limit))
		}
	})
}

func BenchmarkGetItems10Of1000(b *testing.B) { benchGet(b, 1000, 10) }

func BenchmarkGetItemsAllOf100(b *testing.B) { benchGet(b, 100, 0) }

func BenchmarkPopItem(b *testing.B) {
	const refill = 500
	b.Run("Session", func(b *testing.B) {
		s, _ := benchSetup(b, "pop", refill)
		left := refill
		for b.Loop() {
			if left == 0 {
				b.StopTimer()
				fill(b, s, refill)
				left = refill
				b.StartTimer()
			}
			if got, err := s.PopItem(b.Context()); err != nil || got == nil {
				b.Fatalf("PopItem: %s, %v", got, err)
			}
			left--
		}
	})
	b.Run("Raw", func(b *testing.B) {
		s, r := benchSetup(b, "pop", refill)
		left := refill
		for b.Loop() {
			if left == 0 {
				b.StopTimer()
				fill(b, s, refill)
				left = refill
				b.StartTimer()
			}
			r.pop(b)
			left--
		}
	})
}
