package agentsession_test

import (
	"context"
	"encoding/json"
	"errors"
	"strings"
	"sync/atomic"
	"testing"
	"time"

	"github.com/agentsession/agentsession"
	"github.com/agentsession/agentsession/memsession"
)

// writeCounter counts the calls that reach the backend's Append.
type writeCounter struct {
	agentsession.Backend
	appends atomic.Int64
}

func (w *writeCounter) Append(ctx context.Context, id string, items [][]byte, ttl time.Duration) error {
	w.appends.Add(1)
	return w.Backend.Append(ctx, id, items, ttl)
}

// TestBadInputTable puts more than 30 kinds of bad input through the public
// API: each gives an error of the expected kind, and nothing reaches the store.
func TestBadInputTable(t *testing.T) {
	ok := json.RawMessage(`{"role":"user","content":"ok"}`)
	item := func(s string) []json.RawMessage { return []json.RawMessage{ok, json.RawMessage(s)} }
	canceled, cancel := context.WithCancel(context.Background())
	cancel()
	limits := &agentsession.Options{MaxItemBytes: 64, MaxBatchItems: 3, MaxIDLen: 16}
	type call struct {
		name  string
		id    string
		opts  *agentsession.Options
		ctx   context.Context
		items []json.RawMessage
		want  error
	}
	calls := []call{
		{name: "empty ID", id: "", want: agentsession.ErrInvalidID},
		{name: "ID over MaxIDLen", id: strings.Repeat("x", agentsession.MaxIDLen+1), want: agentsession.ErrInvalidID},
		{name: "ID over Options.MaxIDLen", id: strings.Repeat("x", 17), opts: limits, want: agentsession.ErrLimit},
		{name: "negative TTL", id: "s", opts: &agentsession.Options{TTL: -1}, want: agentsession.ErrInvalidTTL},
		{name: "sliding without TTL", id: "s", opts: &agentsession.Options{SlidingTTL: true}, want: agentsession.ErrInvalidOptions},
		{name: "negative MaxItemBytes", id: "s", opts: &agentsession.Options{MaxItemBytes: -1}, want: agentsession.ErrInvalidOptions},
		{name: "negative MaxBatchItems", id: "s", opts: &agentsession.Options{MaxBatchItems: -1}, want: agentsession.ErrInvalidOptions},
		{name: "MaxIDLen over the package's", id: "s", opts: &agentsession.Options{MaxIDLen: agentsession.MaxIDLen + 1}, want: agentsession.ErrInvalidOptions},
		{name: "nil context", id: "s", ctx: nil, items: []json.RawMessage{ok}, want: agentsession.ErrNilContext},
		{name: "canceled context", id: "s", ctx: canceled, items: []json.RawMessage{ok}, want: context.Canceled},
		{name: "item over MaxItemBytes", id: "s", opts: limits, items: item(`{"text":"` + strings.Repeat("a", 64) + `"}`), want: agentsession.ErrLimit},
		{name: "batch over MaxBatchItems", id: "s", opts: limits, items: []json.RawMessage{ok, ok, ok, ok}, want: agentsession.ErrLimit},
	}
	for _, bad := range []string{
		``, ` `, `null`, `true`, `false`, `0`, `-1.5e3`, `"text"`, `[]`, `[{"a":1}]`, `{`, `}`, `{"a"}`, `{"a":}`,
		`{"a":1,}`, `{,}`, `{'a':1}`, `{a:1}`, `{"a":1}{}`, `{"a":1} x`, `{"a":NaN}`, `{"a":01}`, `{"a":.5}`,
		`{"a":"\x"}`, `{"a":"\u12"}`, "{\"a\":\"\x01\"}", "{\"a\":\"\xff\"}", `{"a":[1,]}`, `{"a":tru}`, `hello`,
	} {
		calls = append(calls, call{name: "item " + bad, id: "s", items: item(bad), want: agentsession.ErrInvalidItem})
	}
	if len(calls) < 30 {
		t.Fatalf("only %d bad inputs", len(calls))
	}
	for _, c := range calls {
		store := &writeCounter{Backend: memsession.New()}
		s, err := agentsession.New(store, c.id, c.opts)
		if err == nil {
			ctx := c.ctx
			if c.name != "nil context" && ctx == nil {
				ctx = t.Context()
			}
			err = s.AddItems(ctx, c.items)
		}
		if !errors.Is(err, c.want) {
			t.Errorf("%s: error %v, want %v", c.name, err, c.want)
			continue
		}
		var ie *agentsession.ItemError
		if c.want == agentsession.ErrInvalidItem && (!errors.As(err, &ie) || ie.Index != 1) {
			t.Errorf("%s: %v, want an *ItemError at index 1", c.name, err)
		}
		if n := store.appends.Load(); n != 0 {
			t.Errorf("%s: %d writes reached the store, want 0", c.name, n)
		}
	}
}

// FuzzAddItems puts arbitrary bytes through AddItems: either the item is one
// JSON object and reads back as the same JSON value, or the batch fails with
// an *ItemError and nothing is stored.
func FuzzAddItems(f *testing.F) {
	for _, s := range []string{`{"role":"user","content":"hi"}`, `{"a":[1,{"b":null}]}`, `[1]`, `{"a":`, "{\"a\":\"\xff\"}", ` {} `} {
		f.Add([]byte(s))
	}
	f.Fuzz(func(t *testing.T, b []byte) {
		s, err := agentsession.New(memsession.New(), "fuzz", nil)
		if err != nil {
			t.Fatal(err)
		}
		err = s.AddItems(context.Background(), []json.RawMessage{b})
		got, gerr := s.GetItems(context.Background(), 0)
		if gerr != nil {
			t.Fatalf("GetItems: %v", gerr)
		}
		if err != nil {
			var ie *agentsession.ItemError
			if !errors.As(err, &ie) || ie.Index != 0 || len(got) != 0 {
				t.Fatalf("AddItems(%q) = %v with %d items stored, want an *ItemError and none", b, err, len(got))
			}
			return
		}
		var in, out any
		if json.Unmarshal(b, &in) != nil || len(got) != 1 || json.Unmarshal(got[0], &out) != nil {
			t.Fatalf("AddItems(%q) accepted it, but it does not read back as one JSON value: %q", b, got)
		}
		bi, _ := json.Marshal(in)
		bo, _ := json.Marshal(out)
		if string(bi) != string(bo) {
			t.Fatalf("stored %s, read back %s", bi, bo)
		}
	})
}
