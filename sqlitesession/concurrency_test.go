package sqlitesession_test

import (
	"encoding/json"
	"sync"
	"testing"

	"github.com/agentsession/agentsession"
	"github.com/agentsession/agentsession/sessiontest"
	"github.com/agentsession/agentsession/sqlitesession"
)

// TestBackendsShareFile runs the suite's add-and-pop workers on two Backends
// opened on one file, as two processes would: the Backends do not queue
// their writes for each other, so they meet at SQLite's write lock, which
// BEGIN IMMEDIATE takes at once and busy_timeout waits for.
func TestBackendsShareFile(t *testing.T) {
	first, path := open(t, nil)
	second, err := sqlitesession.Open(t.Context(), path, nil)
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { second.Close() })

	const workers, rounds, id = 16, 10, "shared"
	var (
		mu     sync.Mutex
		popped []json.RawMessage
		wg     sync.WaitGroup
		errs   = make(chan error, workers)
	)
	for w := range workers {
		b := first
		if w%2 == 1 {
			b = second
		}
		wg.Go(func() {
			s, err := agentsession.New(b, id, sessiontest.WorkerOptions(w/2))
			if err != nil {
				errs <- err
				return
			}
			got, err := sessiontest.AddPopWorker(t.Context(), s, w, rounds)
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
	left, err := mustSession(t, first, id, nil).GetItems(t.Context(), 0)
	if err != nil {
		t.Fatal(err)
	}
	sessiontest.CheckAddPop(t, left, popped, workers*rounds)
}
