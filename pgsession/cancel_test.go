package pgsession_test

import (
	"context"
	"errors"
	"testing"
	"time"

	"github.com/agentsession/agentsession"
)

// TestCancelInFlight holds two sessions' rows locked from another
// transaction, so that writes to them wait, then ends their contexts: each
// call returns soon after with the context's error. pgx then closes the
// connection, but the server may already hold the whole batch, so adds may
// still land once the lock goes: whole, or not at all.
func TestCancelInFlight(t *testing.T) {
	pool := newPool(t)
	b := newBackend(t, pool)
	ctx := t.Context()
	// Adds go to one session and the other calls to another, so that what
	// the adds leave can be checked.
	s := session(t, b, "adds", &agentsession.Options{TTL: time.Minute})
	other := session(t, b, "other", nil)
	mustAdd(t, s, items("before", 2))
	mustAdd(t, other, items("other", 2))

	tx, err := pool.Begin(ctx)
	if err != nil {
		t.Fatal(err)
	}
	defer tx.Rollback(context.Background())
	if _, err := tx.Exec(ctx, "SELECT FROM "+b.TablePrefix()+"sessions WHERE id = ANY ($1) FOR UPDATE", [][]byte{[]byte("adds"), []byte("other")}); err != nil {
		t.Fatal(err)
	}

	calls := map[string]func(context.Context) error{
		"AddItems":     func(ctx context.Context) error { return s.AddItems(ctx, items("during", 3)) },
		"PopItem":      func(ctx context.Context) error { _, err := other.PopItem(ctx); return err },
		"ClearSession": func(ctx context.Context) error { return other.ClearSession(ctx) },
		"GetItems (sliding)": func(ctx context.Context) error {
			_, err := session(t, b, "other", &agentsession.Options{TTL: time.Hour, SlidingTTL: true}).GetItems(ctx, 0)
			return err
		},
	}
	type result struct {
		op   string
		want error
		err  error
		took time.Duration
	}
	results := make(chan result, 2*len(calls))
	for op, call := range calls {
		go func() {
			ctx, cancel := context.WithTimeout(ctx, 200*time.Millisecond)
			defer cancel()
			began := time.Now()
			err := call(ctx)
			results <- result{op + " (deadline)", context.DeadlineExceeded, err, time.Since(began)}
		}()
		go func() {
			ctx, cancel := context.WithCancel(ctx)
			time.AfterFunc(200*time.Millisecond, cancel)
			began := time.Now()
			err := call(ctx)
			results <- result{op + " (cancel)", context.Canceled, err, time.Since(began)}
		}()
	}
	for range 2 * len(calls) {
		r := <-results
		if !errors.Is(r.err, r.want) {
			t.Errorf("%s while the row is locked: %v, want %v", r.op, r.err, r.want)
		}
		if r.took > 2*time.Second {
			t.Errorf("%s returned %v after it began, long after its context ended", r.op, r.took)
		}
	}
	if err := tx.Rollback(ctx); err != nil {
		t.Fatal(err)
	}
	// Let the batches that the server holds run.
	time.Sleep(500 * time.Millisecond)
	got := mustGet(t, s, 0)
	if len(got) != 2 && len(got) != 5 && len(got) != 8 {
		t.Fatalf("after the cancelled adds the session holds %d items, want 2 plus whole batches of 3", len(got))
	}
	want := items("before", 2)
	for len(want) < len(got) {
		want = append(want, items("during", 3)...)
	}
	if !same(got, want) {
		t.Fatalf("after the cancelled adds: %s, want %s", got, want)
	}
	t.Logf("after the cancelled adds the session holds %d items", len(got))
}
