package sessiontest

import (
	"encoding/json"
	"errors"
	"testing"

	"github.com/agentsession/agentsession"
)

// plantCorrupt stores v0, "not json", v1, "[1]", v2 straight through the
// backend, which checks nothing, as another program might have.
func plantCorrupt(t *testing.T, h *harness, id string) (*agentsession.Session, []json.RawMessage) {
	t.Helper()
	b := h.backend(t)
	v := items("valid", 3)
	raw := [][]byte{v[0], []byte("not json"), v[1], []byte("[1]"), v[2]}
	if err := b.Append(t.Context(), id, raw, 0); err != nil {
		t.Fatalf("Backend.Append: %v", err)
	}
	return mustNew(t, b, id, nil), v
}

// wantCorrupt fails t unless err is a *CorruptError naming exactly the
// elements want (index -> raw bytes).
func wantCorrupt(t *testing.T, what string, err error, want map[int]string) {
	t.Helper()
	var ce *agentsession.CorruptError
	if !errors.As(err, &ce) || !errors.Is(err, agentsession.ErrCorruptItem) {
		t.Fatalf("%s: error %v, want a *CorruptError matching ErrCorruptItem", what, err)
	}
	got := map[int]string{}
	for _, it := range ce.Items {
		got[it.Index] = string(it.Raw)
		if !errors.Is(it, agentsession.ErrInvalidItem) || it.Err == nil {
			t.Fatalf("%s: %#v has no cause or does not match ErrInvalidItem", what, it)
		}
	}
	if len(got) != len(want) {
		t.Fatalf("%s: bad elements %v, want %v", what, got, want)
	}
	for i, raw := range want {
		if got[i] != raw {
			t.Fatalf("%s: bad elements %v, want %v", what, got, want)
		}
	}
}

var corruptTests = []test{
	{"GetAll", func(t *testing.T, h *harness) {
		s, v := plantCorrupt(t, h, "corrupt-all")
		got, err := s.GetItems(t.Context(), 0)
		wantItems(t, "GetItems() with bad elements", got, v)
		wantCorrupt(t, "GetItems()", err, map[int]string{1: "not json", 3: "[1]"})
	}},
	{"GetLimitedReadsFurtherBack", func(t *testing.T, h *harness) {
		s, v := plantCorrupt(t, h, "corrupt-limit")
		for _, tc := range []struct {
			limit int
			want  []json.RawMessage
			bad   map[int]string
		}{
			{1, v[2:], nil},
			{2, v[1:], map[int]string{-2: "[1]"}},
			{3, v, map[int]string{-4: "not json", -2: "[1]"}},
			{4, v, map[int]string{-4: "not json", -2: "[1]"}},
			{100, v, map[int]string{-4: "not json", -2: "[1]"}},
		} {
			got, err := s.GetItems(t.Context(), tc.limit)
			wantItems(t, "GetItems(limit) with bad elements", got, tc.want)
			if tc.bad == nil {
				if err != nil {
					t.Fatalf("GetItems(%d): %v, want no error: no bad element is among the newest %d items", tc.limit, err, tc.limit)
				}
				continue
			}
			wantCorrupt(t, "GetItems(limit)", err, tc.bad)
		}
	}},
	{"AllBad", func(t *testing.T, h *harness) {
		b := h.backend(t)
		if err := b.Append(t.Context(), "all-bad", [][]byte{[]byte("1"), []byte("{"), []byte("null")}, 0); err != nil {
			t.Fatal(err)
		}
		s := mustNew(t, b, "all-bad", nil)
		got, err := s.GetItems(t.Context(), 2)
		wantItems(t, "GetItems(2) with only bad elements", got, nil)
		wantCorrupt(t, "GetItems(2)", err, map[int]string{-3: "1", -2: "{", -1: "null"})
	}},
	{"PopHandsBackBadBytes", func(t *testing.T, h *harness) {
		s, v := plantCorrupt(t, h, "corrupt-pop")
		for _, want := range []string{string(v[2]), "[1]", string(v[1]), "not json", string(v[0]), ""} {
			got, err := s.PopItem(t.Context())
			switch {
			case want == "":
				if got != nil || err != nil {
					t.Fatalf("PopItem on the emptied session: %s, %v; want nil, nil", got, err)
				}
			case json.Valid([]byte(want)) && want[0] == '{':
				if err != nil || string(got) != want {
					t.Fatalf("PopItem: %s, %v; want %s", got, err, want)
				}
			default:
				if got != nil {
					t.Fatalf("PopItem of a bad element returned item %s", got)
				}
				wantCorrupt(t, "PopItem", err, map[int]string{-1: want})
			}
		}
	}},
}
