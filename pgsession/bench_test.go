package pgsession_test

// Benchmarks of the PostgreSQL backend against a real server, each library
// operation (sub-benchmark "session", through agentsession.Session) beside a
// raw pgx baseline ("raw") that sends the same SQL, in the same batches, on
// the same pool, tables and payload: the difference is what the library adds
// in Go. Results and the command are in docs/backends/postgres.md.
//
//	AGENTSESSION_POSTGRES_URL=postgres://... go test -run '^$' -bench . -benchmem ./pgsession
//
// Without AGENTSESSION_POSTGRES_URL they are skipped.

import (
	"encoding/json"
	"slices"
	"testing"

	"github.com/agentsession/agentsession"
	"github.com/agentsession/agentsession/pgsession"
	"github.com/jackc/pgx/v5"
	"github.com/jackc/pgx/v5/pgxpool"
)

// payload is one realistic conversation item, about 150 bytes of compact JSON.
var payload = json.RawMessage(`{"role":"user","content":"Could you summarise last quarter's sales for the north-east region and flag anything unusual against the same quarter last year?"}`)

// benchEnv is one benchmark's pool and backend, on tables of its own.
type benchEnv struct {
	pool *pgxpool.Pool
	b    *pgsession.Backend
	sql  map[string]string
}

func newBenchEnv(tb testing.TB) *benchEnv {
	pool := newPool(tb)
	b := newBackend(tb, pool)
	return &benchEnv{pool: pool, b: b, sql: b.SQLForTest()}
}

func (e *benchEnv) session(tb testing.TB, id string) *agentsession.Session {
	return session(tb, e.b, id, nil)
}

// fill appends n copies of payload to session id, outside any timer.
func (e *benchEnv) fill(tb testing.TB, id string, n int) {
	tb.Helper()
	batch := make([][]byte, n)
	for i := range batch {
		batch[i] = payload
	}
	if err := e.b.Append(tb.Context(), id, batch, 0); err != nil {
		tb.Fatal(err)
	}
}

// rawBatch sends the statements named, each with args, as one batch and
// returns the bytea that the statement named scan returns, if any.
func (e *benchEnv) rawBatch(tb testing.TB, id []byte, scan string, stmts []string, args map[string][]any) []byte {
	batch := &pgx.Batch{}
	for _, name := range stmts {
		batch.Queue(e.sql[name], append([]any{id}, args[name]...)...)
	}
	br := e.pool.SendBatch(tb.Context(), batch)
	var out []byte
	for _, name := range stmts {
		var err error
		if name == scan {
			err = br.QueryRow().Scan(&out)
			if err == pgx.ErrNoRows {
				err = nil
			}
		} else {
			_, err = br.Exec()
		}
		if err != nil {
			tb.Fatal(err)
		}
	}
	if err := br.Close(); err != nil {
		tb.Fatal(err)
	}
	return out
}

// rawItems runs the items query and returns the rows oldest first.
func (e *benchEnv) rawItems(tb testing.TB, id []byte, limit *int64) [][]byte {
	rows, err := e.pool.Query(tb.Context(), e.sql["items"], id, limit)
	if err != nil {
		tb.Fatal(err)
	}
	out, err := pgx.CollectRows(rows, pgx.RowTo[[]byte])
	if err != nil {
		tb.Fatal(err)
	}
	slices.Reverse(out)
	return out
}

var appendStmts = []string{"dropExpired", "dropOrphans", "upsert", "insertItems"}
var popStmts = []string{"dropExpired", "dropOrphans", "decrement", "deleteNewest", "dropEmpty"}

// trimEvery bounds the sessions that the append benchmarks grow: every
// trimEvery appends, with the timer stopped, the session is cleared.
const trimEvery = 1000

func BenchmarkAdd1(b *testing.B) {
	e := newBenchEnv(b)
	one := []json.RawMessage{payload}
	b.Run("session", func(b *testing.B) {
		s := e.session(b, "add-session")
		for i := 0; b.Loop(); i++ {
			if err := s.AddItems(b.Context(), one); err != nil {
				b.Fatal(err)
			}
			if i%trimEvery == trimEvery-1 {
				b.StopTimer()
				e.b.Clear(b.Context(), "add-session")
				b.StartTimer()
			}
		}
	})
	b.Run("raw", func(b *testing.B) {
		id := []byte("add-raw")
		args := map[string][]any{"upsert": {int64(1), nil}, "insertItems": {int64(1), [][]byte{payload}}}
		for i := 0; b.Loop(); i++ {
			e.rawBatch(b, id, "", appendStmts, args)
			if i%trimEvery == trimEvery-1 {
				b.StopTimer()
				e.b.Clear(b.Context(), "add-raw")
				b.StartTimer()
			}
		}
	})
}

func BenchmarkGetItems10(b *testing.B) {
	e := newBenchEnv(b)
	e.fill(b, "get10", 1000)
	b.Run("session", func(b *testing.B) {
		s := e.session(b, "get10")
		for b.Loop() {
			if got, err := s.GetItems(b.Context(), 10); err != nil || len(got) != 10 {
				b.Fatal(len(got), err)
			}
		}
	})
	b.Run("raw", func(b *testing.B) {
		limit := int64(10)
		for b.Loop() {
			if got := e.rawItems(b, []byte("get10"), &limit); len(got) != 10 {
				b.Fatal(len(got))
			}
		}
	})
}

func BenchmarkGetAll100(b *testing.B) {
	e := newBenchEnv(b)
	e.fill(b, "all100", 100)
	b.Run("session", func(b *testing.B) {
		s := e.session(b, "all100")
		for b.Loop() {
			if got, err := s.GetItems(b.Context(), 0); err != nil || len(got) != 100 {
				b.Fatal(len(got), err)
			}
		}
	})
	b.Run("raw", func(b *testing.B) {
		for b.Loop() {
			if got := e.rawItems(b, []byte("all100"), nil); len(got) != 100 {
				b.Fatal(len(got))
			}
		}
	})
}

// refillBy is how many items the pop benchmarks add, with the timer stopped,
// whenever they have popped them all.
const refillBy = 1000

func BenchmarkPop(b *testing.B) {
	e := newBenchEnv(b)
	b.Run("session", func(b *testing.B) {
		s := e.session(b, "pop-session")
		for i := 0; b.Loop(); i++ {
			if i%refillBy == 0 {
				b.StopTimer()
				e.fill(b, "pop-session", refillBy)
				b.StartTimer()
			}
			if got, err := s.PopItem(b.Context()); err != nil || got == nil {
				b.Fatal(got, err)
			}
		}
		e.b.Clear(b.Context(), "pop-session")
	})
	b.Run("raw", func(b *testing.B) {
		id := []byte("pop-raw")
		for i := 0; b.Loop(); i++ {
			if i%refillBy == 0 {
				b.StopTimer()
				e.fill(b, "pop-raw", refillBy)
				b.StartTimer()
			}
			if got := e.rawBatch(b, id, "deleteNewest", popStmts, nil); got == nil {
				b.Fatal("popped nothing")
			}
		}
		e.b.Clear(b.Context(), "pop-raw")
	})
}
