package sessiontest

import (
	"errors"
	"maps"
	"testing"
	"time"

	"github.com/agentsession/agentsession"
)

var listTests = []test{
	{"Pages", func(t *testing.T, h *harness) {
		b := h.backend(t)
		if !canList(t, b) {
			return
		}
		began := time.Now()
		want := map[string]int{"a": 1, "b": 2, "c*": 3, "d:e": 1, "[f]": 2, "g h": 1, "ünï": 1}
		for id, n := range want {
			var opts *agentsession.Options
			if id == "b" {
				opts = &agentsession.Options{TTL: time.Hour}
			}
			add(t, mustNew(t, b, id, opts), items(id, n))
		}
		// Sessions with no items are not listed.
		cleared, popped := mustNew(t, b, "cleared", nil), mustNew(t, b, "popped", nil)
		add(t, cleared, items("x", 2))
		add(t, popped, items("x", 1))
		if err := cleared.ClearSession(t.Context()); err != nil {
			t.Fatal(err)
		}
		if _, err := popped.PopItem(t.Context()); err != nil {
			t.Fatal(err)
		}

		for _, limit := range []int{1, 2, 3, 100} {
			got := listAll(t, b, limit)
			if !maps.Equal(counts(got), want) {
				t.Fatalf("listed with pages of %d: %v, want %v", limit, counts(got), want)
			}
			for _, info := range got {
				switch {
				case info.ID == "b" && (info.TTL <= 59*time.Minute || info.TTL > time.Hour):
					t.Fatalf("session b (TTL 1h) listed with TTL %v", info.TTL)
				case info.ID != "b" && info.TTL != 0:
					t.Fatalf("session %q (no TTL) listed with TTL %v", info.ID, info.TTL)
				case !info.UpdatedAt.IsZero() && (info.UpdatedAt.Before(began.Add(-time.Minute)) || info.UpdatedAt.After(time.Now().Add(time.Minute))):
					t.Fatalf("session %q listed as updated at %v, outside this test", info.ID, info.UpdatedAt)
				}
			}
		}
	}},
	{"ExpiredNotListed", func(t *testing.T, h *harness) {
		b := h.backend(t)
		if !canList(t, b) {
			return
		}
		short := mustNew(t, b, "short", &agentsession.Options{TTL: time.Second})
		add(t, short, items("s", 1))
		add(t, mustNew(t, b, "kept", nil), items("k", 1))
		waitGone(t, short, 10*time.Second)
		if got := counts(listAll(t, b, 10)); !maps.Equal(got, map[string]int{"kept": 1}) {
			t.Fatalf("listed %v after session short expired, want only kept", got)
		}
	}},
}

// canList reports whether b is a Lister; when it is not, it checks that List
// says so with errors.ErrUnsupported.
func canList(t *testing.T, b agentsession.Backend) bool {
	t.Helper()
	if _, ok := b.(agentsession.Lister); ok {
		return true
	}
	if _, _, err := agentsession.List(t.Context(), b, "", 10); !errors.Is(err, errors.ErrUnsupported) {
		t.Fatalf("List on a backend that is not a Lister: %v, want errors.ErrUnsupported", err)
	}
	return false
}

// listAll pages through b's sessions, limit at a time, and fails t on a
// duplicate.
func listAll(t *testing.T, b agentsession.Backend, limit int) []agentsession.SessionInfo {
	t.Helper()
	var all []agentsession.SessionInfo
	seen := map[string]bool{}
	cursor := ""
	for pages := 0; ; pages++ {
		if pages > 1000 {
			t.Fatalf("more than 1000 pages of %d: the cursor does not advance", limit)
		}
		page, next, err := agentsession.List(t.Context(), b, cursor, limit)
		if err != nil {
			t.Fatalf("List(%q, %d): %v", cursor, limit, err)
		}
		if len(page) > limit {
			t.Fatalf("List(%q, %d) returned %d sessions", cursor, limit, len(page))
		}
		for _, info := range page {
			if seen[info.ID] {
				t.Fatalf("session %q listed twice", info.ID)
			}
			seen[info.ID] = true
			all = append(all, info)
		}
		if next == "" {
			return all
		}
		cursor = next
	}
}

func counts(infos []agentsession.SessionInfo) map[string]int {
	m := map[string]int{}
	for _, info := range infos {
		m[info.ID] = info.Items
	}
	return m
}
