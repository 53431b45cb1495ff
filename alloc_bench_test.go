package agentsession_test

// Allocation benchmarks of the Session layer alone, without a network: the
// hot paths of docs/allocations.md over two backends, "stub" (a Backend that
// allocates nothing, so every allocation counted is the Session's) and "mem"
// (memsession, which copies what it stores and returns).
//
//	go test -run '^$' -bench Alloc -benchmem .

import (
	"context"
	"encoding/json"
	"testing"
	"time"

	"github.com/agentsession/agentsession"
	"github.com/agentsession/agentsession/memsession"
)

// allocPayload is the item of the Redis benchmarks: a compact JSON object of
// about 150 bytes.
var allocPayload = json.RawMessage(`{"role":"user","content":"Could you summarise last quarter's sales for the north-east region and flag anything unusual against the same quarter last year?"}`)

// stubBackend holds a fixed list of elements and allocates nothing: Items
// returns sub-slices of it (not the caller's to change, as Backend.Items
// promises, but Session does not change them), Append stores nothing and Pop
// removes nothing.
type stubBackend struct{ elems [][]byte }

func (s *stubBackend) Items(_ context.Context, _ string, limit int) ([][]byte, error) {
	if limit > 0 && limit < len(s.elems) {
		return s.elems[len(s.elems)-limit:], nil
	}
	return s.elems, nil
}

func (s *stubBackend) Append(context.Context, string, [][]byte, time.Duration) error { return nil }

func (s *stubBackend) Pop(context.Context, string) ([]byte, error) {
	return s.elems[len(s.elems)-1], nil
}

func (s *stubBackend) Clear(context.Context, string) error { return nil }

// BenchmarkAllocSession runs each hot path over a backend that holds copies
// of allocPayload: 1,000 for GetItems10 and Pop, 100 for GetAll100.
func BenchmarkAllocSession(b *testing.B) {
	ctx := context.Background()
	batch := func(n int) []json.RawMessage {
		items := make([]json.RawMessage, n)
		for i := range items {
			items[i] = allocPayload
		}
		return items
	}
	backends := []struct {
		name string
		make func(b *testing.B, n int) agentsession.Backend
	}{
		{"stub", func(b *testing.B, n int) agentsession.Backend {
			elems := make([][]byte, n)
			for i := range elems {
				elems[i] = allocPayload
			}
			return &stubBackend{elems: elems}
		}},
		{"mem", func(b *testing.B, n int) agentsession.Backend {
			m := memsession.New()
			if err := m.Append(ctx, "s", toElems(batch(n)), 0); err != nil {
				b.Fatal(err)
			}
			return m
		}},
	}
	for _, be := range backends {
		session := func(b *testing.B, n int) *agentsession.Session {
			s, err := agentsession.New(be.make(b, n), "s", nil)
			if err != nil {
				b.Fatal(err)
			}
			return s
		}
		b.Run("Add1/backend="+be.name, func(b *testing.B) {
			benchAdd(b, session(b, 0), batch(1))
		})
		b.Run("Add10/backend="+be.name, func(b *testing.B) {
			benchAdd(b, session(b, 0), batch(10))
		})
		b.Run("Add1Spaced/backend="+be.name, func(b *testing.B) {
			// Not compact: AddItems stores a compacted copy.
			benchAdd(b, session(b, 0), []json.RawMessage{json.RawMessage(" { \"role\": \"user\", \"content\": \"hi\" } ")})
		})
		b.Run("GetItems10-len1000/backend="+be.name, func(b *testing.B) {
			benchGet(b, session(b, 1000), 10, 10)
		})
		b.Run("GetAll100/backend="+be.name, func(b *testing.B) {
			benchGet(b, session(b, 100), 0, 100)
		})
		b.Run("Pop/backend="+be.name, func(b *testing.B) {
			s := session(b, 1000)
			b.ReportAllocs()
			left := 1000
			for b.Loop() {
				if left == 0 { // refill memsession; the stub never empties
					b.StopTimer()
					if err := s.AddItems(ctx, batch(1000)); err != nil {
						b.Fatal(err)
					}
					left = 1000
					b.StartTimer()
				}
				left--
				if item, err := s.PopItem(ctx); err != nil || item == nil {
					b.Fatalf("PopItem: %q, %v", item, err)
				}
			}
		})
	}
}

func benchAdd(b *testing.B, s *agentsession.Session, items []json.RawMessage) {
	ctx := context.Background()
	b.ReportAllocs()
	n := 0
	for b.Loop() {
		if err := s.AddItems(ctx, items); err != nil {
			b.Fatal(err)
		}
		if n++; n == 1000 { // keep memsession's list small
			b.StopTimer()
			if err := s.ClearSession(ctx); err != nil {
				b.Fatal(err)
			}
			n = 0
			b.StartTimer()
		}
	}
}

func benchGet(b *testing.B, s *agentsession.Session, limit, want int) {
	ctx := context.Background()
	b.ReportAllocs()
	for b.Loop() {
		items, err := s.GetItems(ctx, limit)
		if err != nil || len(items) != want {
			b.Fatalf("GetItems: %d items, %v; want %d", len(items), err, want)
		}
	}
}

func toElems(items []json.RawMessage) [][]byte {
	out := make([][]byte, len(items))
	for i, it := range items {
		out[i] = it
	}
	return out
}
