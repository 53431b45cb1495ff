package sessiontest

import (
	"context"
	"encoding/json"
	"errors"
	"slices"
	"strings"
	"testing"
	"time"

	"github.com/agentsession/agentsession"
)

// badItems are items that are not one JSON object in UTF-8.
var badItems = []struct {
	name string
	item json.RawMessage
}{
	{"nil", nil},
	{"empty", json.RawMessage("")},
	{"spaces", json.RawMessage("  \n ")},
	{"invalid JSON", json.RawMessage(`{"role":`)},
	{"not JSON", json.RawMessage(`hello`)},
	{"array", json.RawMessage(`[{"role":"user"}]`)},
	{"number", json.RawMessage(`42`)},
	{"string", json.RawMessage(`"hello"`)},
	{"null", json.RawMessage(`null`)},
	{"true", json.RawMessage(`true`)},
	{"two objects", json.RawMessage(`{"a":1}{"b":2}`)},
	{"trailing garbage", json.RawMessage(`{"a":1} x`)},
	{"trailing comma", json.RawMessage(`{"a":1,}`)},
	{"single quotes", json.RawMessage(`{'a':1}`)},
	{"invalid UTF-8", json.RawMessage("{\"a\":\"\xff\xfe\"}")},
	{"NUL byte", json.RawMessage("{\"a\":\"\x00\"}")},
}

var badInputTests = []test{
	{"InvalidItemsWriteNothing", func(t *testing.T, h *harness) {
		s := h.session(t, "bad-items", &agentsession.Options{TTL: time.Minute})
		before := items("kept", 2)
		add(t, s, before)
		for _, bad := range badItems {
			for _, pos := range []int{0, 2} {
				batch := slices.Concat(items("new", 2)[:pos], []json.RawMessage{bad.item}, items("new", 3)[pos:])
				err := s.AddItems(t.Context(), batch)
				var ie *agentsession.ItemError
				if !errors.As(err, &ie) || !errors.Is(err, agentsession.ErrInvalidItem) {
					t.Fatalf("AddItems with a bad item (%s) at %d: err = %v, want an *ItemError matching ErrInvalidItem", bad.name, pos, err)
				}
				if ie.Index != pos || string(ie.Raw) != string(bad.item) {
					t.Fatalf("AddItems with a bad item (%s) at %d: ItemError{Index: %d, Raw: %q}, want Index %d and the item's bytes", bad.name, pos, ie.Index, ie.Raw, pos)
				}
				if !strings.Contains(err.Error(), "item ") {
					t.Fatalf("error %q does not name the item's position", err)
				}
			}
		}
		wantItems(t, "GetItems() after rejected batches", get(t, s, 0), before)
	}},
	{"Options", func(t *testing.T, h *harness) {
		b := h.backend(t)
		for _, tc := range []struct {
			opts *agentsession.Options
			want error
		}{
			{&agentsession.Options{TTL: -time.Second}, agentsession.ErrInvalidTTL},
			{&agentsession.Options{TTL: -1}, agentsession.ErrInvalidTTL},
			{&agentsession.Options{SlidingTTL: true}, agentsession.ErrInvalidOptions},
		} {
			s, err := agentsession.New(b, "opts", tc.opts)
			if !errors.Is(err, tc.want) || s != nil {
				t.Fatalf("New(%+v) = %v, %v; want nil, %v", *tc.opts, s, err, tc.want)
			}
		}
		if _, err := agentsession.New(nil, "opts", nil); !errors.Is(err, agentsession.ErrNilBackend) {
			t.Fatalf("New(nil backend) error = %v, want ErrNilBackend", err)
		}
		for _, o := range []*agentsession.Options{nil, {}, {TTL: time.Nanosecond}, {TTL: 100 * 365 * 24 * time.Hour}} {
			if _, err := agentsession.New(b, "opts", o); err != nil {
				t.Fatalf("New(%+v): %v", o, err)
			}
		}
	}},
	{"NoPanics", func(t *testing.T, h *harness) {
		var nilSession *agentsession.Session
		zero := &agentsession.Session{}
		for _, s := range []*agentsession.Session{nilSession, zero} {
			checkAllFail(t, s, t.Context(), agentsession.ErrNilBackend)
		}
		s := h.session(t, "nil-ctx", nil)
		checkAllFail(t, s, nil, agentsession.ErrNilContext)
	}},
}

// checkAllFail calls every method of s and wants each to fail with want.
func checkAllFail(t *testing.T, s *agentsession.Session, ctx context.Context, want error) {
	t.Helper()
	_, getErr := s.GetItems(ctx, 0)
	_, popErr := s.PopItem(ctx)
	for name, err := range map[string]error{
		"GetItems":     getErr,
		"AddItems":     s.AddItems(ctx, items("x", 1)),
		"PopItem":      popErr,
		"ClearSession": s.ClearSession(ctx),
	} {
		if !errors.Is(err, want) {
			t.Fatalf("%s: error %v, want %v", name, err, want)
		}
	}
}

var idTests = []test{
	{"Invalid", func(t *testing.T, h *harness) {
		b := h.backend(t)
		for _, id := range []string{"", strings.Repeat("x", agentsession.MaxIDLen+1)} {
			if s, err := agentsession.New(b, id, nil); !errors.Is(err, agentsession.ErrInvalidID) || s != nil {
				t.Fatalf("New(id of %d bytes) = %v, %v; want nil, ErrInvalidID", len(id), s, err)
			}
		}
	}},
	{"Isolated", func(t *testing.T, h *harness) {
		// Each ID is its own session, whatever characters it holds; none
		// matches another, not even as a glob pattern or a key with a colon.
		b := h.backend(t)
		ids := []string{
			"a", "a*", "*", "?", "a?", "[a]", "a[b]", "[", "\\", "a\\*", "{a}", "{", "a b", " ", "a:b", ":", "a:",
			":a", "A", "user-123", "ünï", "日本語", "🙂", "a\x00b", "a\nb", "%", "a%b", "'", "\"", "a.b", "a/b",
			strings.Repeat("l", agentsession.MaxIDLen),
		}
		sessions := make([]*agentsession.Session, len(ids))
		for i, id := range ids {
			sessions[i] = mustNew(t, b, id, nil)
			if got := sessions[i].SessionID(); got != id {
				t.Fatalf("SessionID() = %q, want %q", got, id)
			}
			add(t, sessions[i], items(id, i%3+1))
		}
		for i, s := range sessions {
			wantItems(t, "session "+ids[i], get(t, s, 0), items(ids[i], i%3+1))
		}
		for i, s := range sessions {
			if i%2 == 0 {
				if err := s.ClearSession(t.Context()); err != nil {
					t.Fatal(err)
				}
			} else if _, err := s.PopItem(t.Context()); err != nil {
				t.Fatal(err)
			}
		}
		for i, s := range sessions {
			var want []json.RawMessage
			if i%2 == 1 {
				want = items(ids[i], i%3+1)
				want = want[:len(want)-1]
			}
			wantItems(t, "session "+ids[i]+" after clearing or popping", get(t, s, 0), want)
		}
	}},
}
