package redissession_test

import (
	"encoding/json"
	"fmt"
	"sync"
	"testing"
	"time"

	"github.com/agentsession/agentsession"
	"github.com/agentsession/agentsession/redissession"
	"github.com/agentsession/agentsession/sessiontest"
)

// The load of TestLoadSharedSessions.
const (
	loadWriters  = 64
	loadPoppers  = 16
	loadOps      = 1000 // of each writer and each popper
	loadSessions = 8
)

// TestLoadSharedSessions runs 64 writers and 16 poppers, 1,000 operations
// each, on 8 shared sessions at once: each writer adds batches of
// sessiontest.BatchSize uniquely tagged items (half of the writers with a TTL)
// to the sessions in turn, each popper pops from them in turn. Every item
// added is then either popped exactly once or still stored, and what is stored
// of each batch is whole and in order.
func TestLoadSharedSessions(t *testing.T) {
	client := newClient(t)
	store, err := redissession.New(client, &redissession.Options{KeyPrefix: sessiontest.UniquePrefix(t)})
	if err != nil {
		t.Fatal(err)
	}
	ctx := t.Context()
	id := func(n int) string { return fmt.Sprintf("shared%d", n%loadSessions) }
	t.Cleanup(func() {
		for n := range loadSessions {
			client.Unlink(ctx, store.Key(id(n)))
		}
	})
	var (
		mu     sync.Mutex
		popped []json.RawMessage
		empty  int // pops that found their session empty
		wg     sync.WaitGroup
		errs   = make(chan error, loadWriters+loadPoppers)
	)
	began := time.Now()
	for w := range loadWriters {
		wg.Go(func() {
			sessions := make([]*agentsession.Session, loadSessions)
			for n := range sessions {
				s, err := agentsession.New(store, id(n), sessiontest.WorkerOptions(w))
				if err != nil {
					errs <- err
					return
				}
				sessions[n] = s
			}
			for r := range loadOps {
				batch := make([]json.RawMessage, sessiontest.BatchSize)
				for i := range batch {
					batch[i] = json.RawMessage(fmt.Sprintf(`{"w":%d,"r":%d,"i":%d}`, w, r, i))
				}
				if err := sessions[(w+r)%loadSessions].AddItems(ctx, batch); err != nil {
					errs <- fmt.Errorf("writer %d: %w", w, err)
					return
				}
			}
		})
	}
	for p := range loadPoppers {
		wg.Go(func() {
			var got []json.RawMessage
			none := 0
			defer func() {
				mu.Lock()
				popped = append(popped, got...)
				empty += none
				mu.Unlock()
			}()
			sessions := make([]*agentsession.Session, loadSessions)
			for n := range sessions {
				s, err := agentsession.New(store, id(n), nil)
				if err != nil {
					errs <- err
					return
				}
				sessions[n] = s
			}
			for r := range loadOps {
				it, err := sessions[(p+r)%loadSessions].PopItem(ctx)
				if err != nil {
					errs <- fmt.Errorf("popper %d: %w", p, err)
					return
				}
				if it == nil {
					none++
				} else {
					got = append(got, it)
				}
			}
		})
	}
	wg.Wait()
	took := time.Since(began)
	close(errs)
	for err := range errs {
		t.Fatal(err)
	}

	var left []json.RawMessage // the sessions' items, one session after another
	for n := range loadSessions {
		s, err := agentsession.New(store, id(n), nil)
		if err != nil {
			t.Fatal(err)
		}
		items, err := s.GetItems(ctx, 0)
		if err != nil {
			t.Fatal(err)
		}
		left = append(left, items...)
	}
	ops := (loadWriters + loadPoppers) * loadOps
	added := loadWriters * loadOps * sessiontest.BatchSize
	t.Logf("%d writers + %d poppers × %d operations on %d sessions: %d operations in %v (%.0f ops/s); "+
		"%d items added = %d popped + %d left; %d pops found an empty session",
		loadWriters, loadPoppers, loadOps, loadSessions, ops, took.Round(time.Millisecond),
		float64(ops)/took.Seconds(), added, len(popped), len(left), empty)
	sessiontest.CheckAddPop(t, left, popped, loadWriters*loadOps)
}
