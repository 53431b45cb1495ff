package sessiontest

import (
	"errors"
	"testing"
	"time"

	"github.com/agentsession/agentsession"
)

var expiryTests = []test{
	{"ReadAndSet", func(t *testing.T, h *harness) {
		b := h.backend(t)
		ctx := t.Context()
		s := mustNew(t, b, "expirer", &agentsession.Options{TTL: time.Hour})
		if _, ok := b.(agentsession.Expirer); !ok {
			_, _, err := s.TTL(ctx)
			_, err2 := s.SetTTL(ctx, time.Minute)
			if !errors.Is(err, errors.ErrUnsupported) || !errors.Is(err2, errors.ErrUnsupported) {
				t.Fatalf("TTL and SetTTL on a backend that is not an Expirer: %v, %v; want errors.ErrUnsupported", err, err2)
			}
			return
		}
		if ttl, exists, err := s.TTL(ctx); err != nil || exists || ttl != 0 {
			t.Fatalf("TTL of a new session = %v, %v, %v; want 0, false, nil", ttl, exists, err)
		}
		if exists, err := s.SetTTL(ctx, time.Minute); err != nil || exists {
			t.Fatalf("SetTTL of a new session = %v, %v; want false, nil", exists, err)
		}
		add(t, s, items("e", 2))
		if ttl, exists, err := s.TTL(ctx); err != nil || !exists || ttl <= 59*time.Minute || ttl > time.Hour {
			t.Fatalf("TTL after an add with a 1h TTL = %v, %v, %v", ttl, exists, err)
		}
		if exists, err := s.SetTTL(ctx, 10*time.Minute); err != nil || !exists {
			t.Fatalf("SetTTL(10m) = %v, %v", exists, err)
		}
		if ttl, _, err := s.TTL(ctx); err != nil || ttl <= 9*time.Minute || ttl > 10*time.Minute {
			t.Fatalf("TTL after SetTTL(10m) = %v, %v", ttl, err)
		}
		if exists, err := s.SetTTL(ctx, 0); err != nil || !exists {
			t.Fatalf("SetTTL(0) = %v, %v", exists, err)
		}
		if ttl, exists, err := s.TTL(ctx); err != nil || !exists || ttl != 0 {
			t.Fatalf("TTL after SetTTL(0) = %v, %v, %v; want 0 (never expires), true", ttl, exists, err)
		}
		if _, err := s.SetTTL(ctx, -time.Second); !errors.Is(err, agentsession.ErrInvalidTTL) {
			t.Fatalf("SetTTL(-1s) = %v, want ErrInvalidTTL", err)
		}
		wantItems(t, "items after TTL changes", get(t, s, 0), items("e", 2))
	}},
	{"SetTTLExpires", func(t *testing.T, h *harness) {
		b := h.backend(t)
		if _, ok := b.(agentsession.Expirer); !ok {
			return // checked by ReadAndSet
		}
		s := mustNew(t, b, "shortened", nil)
		add(t, s, items("s", 1))
		if exists, err := s.SetTTL(t.Context(), time.Second); err != nil || !exists {
			t.Fatalf("SetTTL(1s) = %v, %v", exists, err)
		}
		waitGone(t, s, 10*time.Second)
		if _, exists, err := s.TTL(t.Context()); err != nil || exists {
			t.Fatalf("TTL of an expired session: exists %v, %v", exists, err)
		}
	}},
}
