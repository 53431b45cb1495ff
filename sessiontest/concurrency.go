package sessiontest

import (
	"encoding/json"
	"fmt"
	"sync"
	"testing"
	"time"

	"github.com/agentsession/agentsession"
)

// Workers, rounds and batch size of the concurrency test.
const (
	workers   = 32
	rounds    = 20
	batchSize = 3
)

// tagged is one item of the concurrency test.
type tagged struct {
	Worker int `json:"w"`
	Round  int `json:"r"`
	Pos    int `json:"i"`
}

var concurrencyTests = []test{
	{"AddAndPop", func(t *testing.T, h *harness) {
		// 32 goroutines, each with its own Session value on one backend, add
		// batches to and pop from one session at once. Afterwards every added
		// item is either popped exactly once or still stored, and what is
		// stored of each batch is its first items, together and in order.
		b := h.backend(t)
		const id = "shared"
		var (
			mu     sync.Mutex
			popped = map[tagged]int{}
			wg     sync.WaitGroup
			errs   = make(chan error, workers)
		)
		for w := range workers {
			wg.Go(func() {
				s, err := agentsession.New(b, id, &agentsession.Options{TTL: time.Minute})
				if err != nil {
					errs <- err
					return
				}
				for r := range rounds {
					batch := make([]json.RawMessage, batchSize)
					for i := range batch {
						batch[i] = json.RawMessage(fmt.Sprintf(`{"w":%d,"r":%d,"i":%d}`, w, r, i))
					}
					if err := s.AddItems(t.Context(), batch); err != nil {
						errs <- fmt.Errorf("worker %d: AddItems: %w", w, err)
						return
					}
					got, err := s.PopItem(t.Context())
					if err != nil {
						errs <- fmt.Errorf("worker %d: PopItem: %w", w, err)
						return
					}
					if got != nil {
						var it tagged
						if err := json.Unmarshal(got, &it); err != nil {
							errs <- fmt.Errorf("worker %d: popped %s: %w", w, got, err)
							return
						}
						mu.Lock()
						popped[it]++
						mu.Unlock()
					}
				}
			})
		}
		wg.Wait()
		close(errs)
		for err := range errs {
			t.Fatal(err)
		}

		s := mustNew(t, b, id, nil)
		left := get(t, s, 0)
		total := workers * rounds * batchSize
		if len(popped)+len(left) != total {
			t.Fatalf("%d distinct items popped + %d left = %d, want %d added", len(popped), len(left), len(popped)+len(left), total)
		}
		for it, n := range popped {
			if n != 1 {
				t.Fatalf("item %+v popped %d times", it, n)
			}
		}
		checkBatches(t, left, popped)
	}},
}

// checkBatches fails t unless each item is stored or popped once, and the
// stored part of each batch is a run of its first items, in order.
func checkBatches(t *testing.T, left []json.RawMessage, popped map[tagged]int) {
	t.Helper()
	seen := map[tagged]bool{}
	type batch struct{ worker, round int }
	next := map[batch]int{}   // position in the batch expected next
	lastAt := map[batch]int{} // where its previous item is stored
	for at, raw := range left {
		var it tagged
		if err := json.Unmarshal(raw, &it); err != nil {
			t.Fatalf("stored item %d: %s: %v", at, raw, err)
		}
		if seen[it] || popped[it] > 0 {
			t.Fatalf("item %+v is stored twice, or stored and popped", it)
		}
		seen[it] = true
		k := batch{it.Worker, it.Round}
		if it.Pos != next[k] || (it.Pos > 0 && lastAt[k] != at-1) {
			t.Fatalf("batch %+v is not stored whole and in order: item %d at %d (items around: %s)", k, it.Pos, at, around(left, at))
		}
		next[k]++
		lastAt[k] = at
	}
	for k, n := range next {
		for pos := n; pos < batchSize; pos++ {
			if popped[tagged{k.worker, k.round, pos}] != 1 {
				t.Fatalf("batch %+v: item %d is neither stored nor popped", k, pos)
			}
		}
	}
}

func around(items []json.RawMessage, at int) string {
	lo, hi := max(at-3, 0), min(at+4, len(items))
	return show(items[lo:hi])
}
