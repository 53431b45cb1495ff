package redissession_test

import (
	"context"
	"errors"
	"testing"
	"time"

	"github.com/agentsession/agentsession"
)

// TestCancelInFlight pauses the server (CLIENT PAUSE) so that calls hang, then
// ends their contexts: each call returns at once with the context's error,
// long before the pause ends, and the add lands whole or not at all.
func TestCancelInFlight(t *testing.T) {
	ctx := t.Context()
	client := newClient(t)
	admin := newClient(t)
	// Adds go to one session and the other calls to another, so that what the
	// adds leave can be counted after the pause.
	store, s := newSession(t, client, "in-flight", &agentsession.Options{TTL: time.Minute})
	_, other := newSession(t, client, "other", nil)
	for _, s := range []*agentsession.Session{s, other} {
		// Also warms the script cache and the pool, so calls below go
		// straight to the paused server.
		if err := s.AddItems(ctx, items(1)); err != nil {
			t.Fatal(err)
		}
	}

	// The pause holds every client, the one that asks to end it too, so it
	// is short and runs out by itself.
	const pause = 2500 * time.Millisecond
	if err := admin.Do(ctx, "CLIENT", "PAUSE", pause.Milliseconds(), "ALL").Err(); err != nil {
		t.Fatalf("CLIENT PAUSE: %v", err)
	}
	began := time.Now()

	calls := map[string]func(context.Context) error{
		"AddItems": func(ctx context.Context) error { return s.AddItems(ctx, items(5)) },
		"GetItems": func(ctx context.Context) error { _, err := other.GetItems(ctx, 0); return err },
		"PopItem":  func(ctx context.Context) error { _, err := other.PopItem(ctx); return err },
		"Clear":    func(ctx context.Context) error { return other.ClearSession(ctx) },
	}
	type result struct {
		op   string
		want error
		err  error
	}
	results := make(chan result, 2*len(calls))
	for op, call := range calls {
		go func() {
			ctx, cancel := context.WithTimeout(ctx, 200*time.Millisecond)
			defer cancel()
			results <- result{op + " (deadline)", context.DeadlineExceeded, call(ctx)}
		}()
		go func() {
			ctx, cancel := context.WithCancel(ctx)
			time.AfterFunc(200*time.Millisecond, cancel)
			results <- result{op + " (cancel)", context.Canceled, call(ctx)}
		}()
	}
	for range 2 * len(calls) {
		r := <-results
		if !errors.Is(r.err, r.want) {
			t.Errorf("%s while the server is paused: %v, want %v", r.op, r.err, r.want)
		}
	}
	if waited := time.Since(began); waited >= pause-time.Second {
		t.Fatalf("calls returned %v after their contexts ended at 200ms: they waited for the server", waited)
	}

	// The paused adds may now run: each lands whole or not at all.
	time.Sleep(time.Until(began.Add(pause + 500*time.Millisecond)))
	deadline := time.Now().Add(5 * time.Second)
	for {
		n := client.LLen(ctx, store.Key("in-flight")).Val()
		if n == 1 || n == 6 || n == 11 {
			t.Logf("after the pause the session holds %d items", n)
			break
		}
		if time.Now().After(deadline) {
			t.Fatalf("the session holds %d items, want 1 plus whole batches of 5", n)
		}
		time.Sleep(50 * time.Millisecond)
	}
}
