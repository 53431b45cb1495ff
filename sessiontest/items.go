package sessiontest

import (
	"context"
	"encoding/json"
	"slices"
	"sync/atomic"
	"testing"
	"time"

	"github.com/agentsession/agentsession"
)

var itemTests = []test{
	{"EmptySession", func(t *testing.T, h *harness) {
		s := h.session(t, "never-used", nil)
		for _, limit := range []int{0, 1, 10} {
			if got := get(t, s, limit); len(got) != 0 {
				t.Fatalf("GetItems(%d) on a new session: %s, want none", limit, show(got))
			}
		}
		if got, err := s.PopItem(t.Context()); got != nil || err != nil {
			t.Fatalf("PopItem on a new session: %s, %v; want nil, nil", got, err)
		}
		if err := s.ClearSession(t.Context()); err != nil {
			t.Fatalf("ClearSession on a new session: %v", err)
		}
	}},
	{"ReferenceUsage", func(t *testing.T, h *harness) {
		// The reference design's usage example, step by step.
		s := h.session(t, "user-123", &agentsession.Options{TTL: time.Hour})
		hello := json.RawMessage(`{"role":"user","content":"Hello"}`)
		hi := json.RawMessage(`{"role":"assistant","content":"Hi there!"}`)
		add(t, s, []json.RawMessage{hello, hi})
		wantItems(t, "GetItems()", get(t, s, 0), []json.RawMessage{hello, hi})
		wantItems(t, "GetItems(1)", get(t, s, 1), []json.RawMessage{hi})
		last, err := s.PopItem(t.Context())
		if err != nil || string(last) != string(hi) {
			t.Fatalf("PopItem: %s, %v; want %s", last, err, hi)
		}
		if err := s.ClearSession(t.Context()); err != nil {
			t.Fatalf("ClearSession: %v", err)
		}
		wantItems(t, "GetItems() after ClearSession", get(t, s, 0), nil)
	}},
	{"BatchesKeepOrder", func(t *testing.T, h *harness) {
		s := h.session(t, "order", nil)
		a, b, c := items("a", 3), items("b", 1), items("c", 4)
		add(t, s, a)
		add(t, s, b)
		add(t, s, c)
		wantItems(t, "GetItems()", get(t, s, 0), slices.Concat(a, b, c))
	}},
	{"Limit", func(t *testing.T, h *harness) {
		s := h.session(t, "limit", nil)
		all := items("x", 5)
		add(t, s, all)
		for _, tc := range []struct {
			limit int
			want  []json.RawMessage
		}{
			{-5, all}, {-1, all}, {0, all}, {1, all[4:]}, {3, all[2:]},
			{5, all}, {6, all}, {1 << 30, all},
		} {
			wantItems(t, "GetItems(limit)", get(t, s, tc.limit), tc.want)
		}
	}},
	{"EmptyBatchMakesNoCall", func(t *testing.T, h *harness) {
		cb := &countingBackend{Backend: h.backend(t)}
		s := mustNew(t, cb, "empty-batch", &agentsession.Options{TTL: time.Minute})
		for _, batch := range [][]json.RawMessage{nil, {}} {
			if err := s.AddItems(t.Context(), batch); err != nil {
				t.Fatalf("AddItems(%#v): %v", batch, err)
			}
		}
		if n := cb.appends.Load(); n != 0 {
			t.Fatalf("an empty batch called Backend.Append %d times, want 0", n)
		}
		wantItems(t, "GetItems() after empty batches", get(t, s, 0), nil)
	}},
	{"PopNewestFirst", func(t *testing.T, h *harness) {
		s := h.session(t, "pop", nil)
		all := items("p", 3)
		add(t, s, all)
		for i := 2; i >= 0; i-- {
			got, err := s.PopItem(t.Context())
			if err != nil || string(got) != string(all[i]) {
				t.Fatalf("PopItem: %s, %v; want %s", got, err, all[i])
			}
		}
		if got, err := s.PopItem(t.Context()); got != nil || err != nil {
			t.Fatalf("PopItem on the emptied session: %s, %v; want nil, nil", got, err)
		}
		add(t, s, all[:1])
		wantItems(t, "GetItems() after popping all and adding", get(t, s, 0), all[:1])
	}},
	{"Clear", func(t *testing.T, h *harness) {
		b := h.backend(t)
		s, other := mustNew(t, b, "clear", nil), mustNew(t, b, "clear-other", nil)
		add(t, s, items("c", 3))
		add(t, other, items("o", 2))
		for range 2 {
			if err := s.ClearSession(t.Context()); err != nil {
				t.Fatalf("ClearSession: %v", err)
			}
		}
		wantItems(t, "GetItems() after ClearSession", get(t, s, 0), nil)
		wantItems(t, "the other session after ClearSession", get(t, other, 0), items("o", 2))
		add(t, s, items("again", 1))
		wantItems(t, "GetItems() after clearing and adding", get(t, s, 0), items("again", 1))
	}},
	{"LargeBatch", func(t *testing.T, h *harness) {
		s := h.session(t, "large", &agentsession.Options{TTL: time.Minute})
		all := items("big", 10_000)
		add(t, s, all)
		wantItems(t, "GetItems() after a 10,000-item batch", get(t, s, 0), all)
		wantItems(t, "GetItems(10)", get(t, s, 10), all[len(all)-10:])
	}},
	{"ItemsAreStoredCompactAndIntact", func(t *testing.T, h *harness) {
		s := h.session(t, "compact", nil)
		in := []json.RawMessage{
			json.RawMessage("{\"role\": \"user\",\n  \"content\": [ {\"type\": \"input_text\", \"text\": \"a  b\"} ] }"),
			json.RawMessage(`{"text":"ünïcødé ✓ 🙂 \u00e9 \"quoted\" \\ \n tab\t","n":1.5e300,"neg":-0,"t":true,"z":null,"e":{},"a":[]}`),
			json.RawMessage(` {"padded":true} `),
		}
		want := []json.RawMessage{
			json.RawMessage(`{"role":"user","content":[{"type":"input_text","text":"a  b"}]}`),
			in[1],
			json.RawMessage(`{"padded":true}`),
		}
		add(t, s, in)
		wantItems(t, "GetItems()", get(t, s, 0), want)
	}},
}

// countingBackend counts calls of Append.
type countingBackend struct {
	agentsession.Backend
	appends atomic.Int64
}

func (c *countingBackend) Append(ctx context.Context, id string, items [][]byte, ttl time.Duration) error {
	c.appends.Add(1)
	return c.Backend.Append(ctx, id, items, ttl)
}
