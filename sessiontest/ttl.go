package sessiontest

import (
	"errors"
	"testing"
	"time"

	"github.com/agentsession/agentsession"
)

// The TTL tests wait for real time to pass. Their margins are wide, and a
// late wake-up can only make a check pass that it would also pass on time,
// never fail one: each "still there" check comes at most 1.2 s after the last
// add or refresh of a 2 s TTL, and each "gone" check only asserts after the
// TTL has passed.
const (
	ttl  = 2 * time.Second
	half = 1200 * time.Millisecond
)

var ttlTests = []test{
	{"Expires", func(t *testing.T, h *harness) {
		s := h.session(t, "expires", &agentsession.Options{TTL: time.Second})
		add(t, s, items("e", 2))
		if got := get(t, s, 0); len(got) != 2 {
			t.Fatalf("right after AddItems: %d items, want 2", len(got))
		}
		waitGone(t, s, 10*time.Second)
	}},
	{"RefreshedByAdd", func(t *testing.T, h *harness) {
		s := h.session(t, "refreshed", &agentsession.Options{TTL: ttl})
		add(t, s, items("first", 1))
		time.Sleep(half)
		add(t, s, items("second", 1))
		time.Sleep(half) // 2.4 s after the first add, 1.2 s after the second
		if got := get(t, s, 0); len(got) != 2 {
			t.Fatalf("%v after an add that reset a %v TTL: %d items, want 2", half, ttl, len(got))
		}
		waitGone(t, s, 10*time.Second)
	}},
	{"NotRefreshedByRead", func(t *testing.T, h *harness) {
		s := h.session(t, "read-only", &agentsession.Options{TTL: ttl})
		add(t, s, items("r", 1))
		time.Sleep(half)
		if got := get(t, s, 0); len(got) != 1 {
			t.Fatalf("%v into a %v TTL: %d items, want 1", half, ttl, len(got))
		}
		time.Sleep(half) // 2.4 s after the add: a refresh by the read would keep it to 3.2 s
		if got := get(t, s, 0); len(got) != 0 {
			t.Fatalf("%v after the add, with a %v TTL and only reads since: %d items, want none", 2*half, ttl, len(got))
		}
	}},
	{"Sliding", func(t *testing.T, h *harness) {
		b := h.backend(t)
		opts := &agentsession.Options{TTL: ttl, SlidingTTL: true}
		if _, ok := b.(agentsession.Refresher); !ok {
			_, err := agentsession.New(b, "sliding", opts)
			if !errors.Is(err, agentsession.ErrInvalidOptions) || !errors.Is(err, errors.ErrUnsupported) {
				t.Fatalf("New with SlidingTTL on a backend without Refresher: %v, want ErrInvalidOptions and errors.ErrUnsupported", err)
			}
			return
		}
		s := mustNew(t, b, "sliding", opts)
		add(t, s, items("s", 1))
		time.Sleep(half)
		get(t, s, 1) // refreshes
		time.Sleep(half)
		if got := get(t, s, 0); len(got) != 1 {
			t.Fatalf("%v after a refreshing read of a %v sliding TTL: %d items, want 1", half, ttl, len(got))
		}
		// Watch it expire through a session that does not refresh it.
		waitGone(t, mustNew(t, b, "sliding", &agentsession.Options{TTL: ttl}), 10*time.Second)
	}},
}

// waitGone polls until s reads as empty, and fails t if that takes longer than
// limit.
func waitGone(t *testing.T, s *agentsession.Session, limit time.Duration) {
	t.Helper()
	deadline := time.Now().Add(limit)
	for {
		got := get(t, s, 0)
		if len(got) == 0 {
			return
		}
		if time.Now().After(deadline) {
			t.Fatalf("session still holds %d items %v after its TTL should have ended", len(got), limit)
		}
		time.Sleep(100 * time.Millisecond)
	}
}
