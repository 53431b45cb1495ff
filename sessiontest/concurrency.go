package sessiontest

import (
	"context"
	"encoding/json"
	"fmt"
	"sync"
	"testing"
	"time"

	"github.com/agentsession/agentsession"
)

// Workers and rounds of the concurrency test.
const (
	workers = 32
	rounds  = 20
)

// BatchSize is the number of items AddPopWorker adds in each round.
const BatchSize = 3

// tagged is one item of the concurrency test.
type tagged struct {
	Worker int `json:"w"`
	Round  int `json:"r"`
	Pos    int `json:"i"`
}

var concurrencyTests = []test{
	{"AddAndPop", func(t *testing.T, h *harness) {
		// 32 goroutines, each with its own Session value on one backend, add
		// batches to and pop from one session at once; half of them with a
		// TTL, as backends may append differently with one.
		b := h.backend(t)
		const id = "shared"
		var (
			mu     sync.Mutex
			popped []json.RawMessage
			wg     sync.WaitGroup
			errs   = make(chan error, workers)
		)
		for w := range workers {
			wg.Go(func() {
				s, err := agentsession.New(b, id, WorkerOptions(w))
				if err != nil {
					errs <- err
					return
				}
				got, err := AddPopWorker(t.Context(), s, w, rounds)
				mu.Lock()
				popped = append(popped, got...)
				mu.Unlock()
				if err != nil {
					errs <- err
				}
			})
		}
		wg.Wait()
		close(errs)
		for err := range errs {
			t.Fatal(err)
		}
		CheckAddPop(t, get(t, mustNew(t, b, id, nil), 0), popped, workers*rounds)
	}},
}

// WorkerOptions returns the session options of worker w in a concurrency
// test: a TTL for even workers, none for odd ones.
func WorkerOptions(w int) *agentsession.Options {
	if w%2 == 0 {
		return &agentsession.Options{TTL: time.Minute}
	}
	return nil
}

// AddPopWorker is one worker of a concurrency test, for the suite and for
// backend tests that run workers in other processes: rounds times, it adds a
// batch of BatchSize items tagged with worker and the round, then pops one
// item. It returns the items it popped, also when it fails.
func AddPopWorker(ctx context.Context, s *agentsession.Session, worker, rounds int) ([]json.RawMessage, error) {
	var popped []json.RawMessage
	for r := range rounds {
		batch := make([]json.RawMessage, BatchSize)
		for i := range batch {
			batch[i] = json.RawMessage(fmt.Sprintf(`{"w":%d,"r":%d,"i":%d}`, worker, r, i))
		}
		if err := s.AddItems(ctx, batch); err != nil {
			return popped, fmt.Errorf("worker %d: AddItems: %w", worker, err)
		}
		got, err := s.PopItem(ctx)
		if err != nil {
			return popped, fmt.Errorf("worker %d: PopItem: %w", worker, err)
		}
		if got != nil {
			popped = append(popped, got)
		}
	}
	return popped, nil
}

// CheckAddPop fails t unless the items that AddPopWorker calls added in
// batches (batches of them in all) are each either popped exactly once or
// still stored (left, as the session holds them), and what is stored of each
// batch is its first items, together and in order: nothing lost, nothing
// twice, no batch split or interleaved.
func CheckAddPop(t testing.TB, left, popped []json.RawMessage, batches int) {
	t.Helper()
	seen := map[tagged]string{}
	note := func(raw json.RawMessage, where string) tagged {
		var it tagged
		if err := json.Unmarshal(raw, &it); err != nil {
			t.Fatalf("%s item %s: %v", where, raw, err)
		}
		if before, ok := seen[it]; ok {
			t.Fatalf("item %s is %s and also %s", raw, before, where)
		}
		seen[it] = where
		return it
	}
	for _, raw := range popped {
		note(raw, "popped")
	}
	type batch struct{ worker, round int }
	next := map[batch]int{} // position in the batch expected next
	for at, raw := range left {
		it := note(raw, "stored")
		k := batch{it.Worker, it.Round}
		if it.Pos != next[k] || (it.Pos > 0 && at == 0) || (it.Pos > 0 && string(left[at-1]) != fmt.Sprintf(`{"w":%d,"r":%d,"i":%d}`, it.Worker, it.Round, it.Pos-1)) {
			t.Fatalf("batch %+v is not stored whole and in order: item %d at %d, among %s", k, it.Pos, at, around(left, at))
		}
		next[k]++
	}
	if want := batches * BatchSize; len(seen) != want {
		t.Fatalf("%d items popped + %d stored = %d, want the %d added", len(popped), len(left), len(seen), want)
	}
}

func around(items []json.RawMessage, at int) string {
	lo, hi := max(at-3, 0), min(at+4, len(items))
	return show(items[lo:hi])
}
