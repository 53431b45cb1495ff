package redissession_test

import (
	"context"
	"errors"
	"testing"
	"time"

	"github.com/agentsession/agentsession"
	"github.com/agentsession/agentsession/redissession"
	"github.com/agentsession/agentsession/sessiontest"
)

// TestCancelInFlight pauses the server (CLIENT PAUSE) so that calls hang, then
// ends their contexts: with Options.WatchContext each call returns at once
// with the context's error, long before the pause ends, and the add lands
// whole or not at all.
func TestCancelInFlight(t *testing.T) {
	ctx := t.Context()
	client := newClient(t)
	admin := newClient(t)
	store, err := redissession.New(client, &redissession.Options{KeyPrefix: sessiontest.UniquePrefix(t), WatchContext: true})
	if err != nil {
		t.Fatal(err)
	}
	// Adds go to one session and the other calls to another, so that what the
	// adds leave can be counted after the pause.
	s, err := agentsession.New(store, "in-flight", &agentsession.Options{TTL: time.Minute})
	if err != nil {
		t.Fatal(err)
	}
	other, err := agentsession.New(store, "other", nil)
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { client.Unlink(context.Background(), store.Key("in-flight"), store.Key("other")) })
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

// TestCancelledBeforeSend: without WatchContext, a call whose context has
// already ended fails at once with the context's error and writes nothing, as
// go-redis checks the context before it sends a command.
func TestCancelledBeforeSend(t *testing.T) {
	client := newClient(t)
	store, s := newSession(t, client, "cancelled", nil)
	if err := s.AddItems(t.Context(), items(2)); err != nil {
		t.Fatal(err)
	}
	ctx, cancel := context.WithCancel(t.Context())
	cancel()
	calls := map[string]func() error{
		"AddItems": func() error { return s.AddItems(ctx, items(5)) },
		"GetItems": func() error { _, err := s.GetItems(ctx, 0); return err },
		"PopItem":  func() error { _, err := s.PopItem(ctx); return err },
		"Clear":    func() error { return s.ClearSession(ctx) },
	}
	for name, call := range calls {
		if err := call(); !errors.Is(err, context.Canceled) {
			t.Errorf("%s with a cancelled context: %v, want context.Canceled", name, err)
		}
	}
	if n := client.LLen(t.Context(), store.Key("cancelled")).Val(); n != 2 {
		t.Fatalf("the session holds %d items after the cancelled calls, want the 2 added before", n)
	}
}
