package sqlitesession_test

// Benchmarks of the SQLite backend, each library operation (sub-benchmark
// "session") beside a raw database/sql baseline ("raw") that runs the same
// SQL statements directly, on a database/sql pool opened on the same file with
// the same DSN (WAL, busy_timeout, foreign keys, synchronous left at FULL):
//
//	go test -run '^$' -bench . -benchmem -count 5 ./sqlitesession
//
// Both sides of a pair work on sessions of the same size in the same file.

import (
	"context"
	"database/sql"
	"encoding/json"
	"path/filepath"
	"runtime"
	"slices"
	"testing"
	"time"

	"github.com/agentsession/agentsession"
	"github.com/agentsession/agentsession/sqlitesession"
)

// payload is one realistic conversation item, about 150 bytes of compact JSON.
var payload = json.RawMessage(`{"role":"user","content":"Could you summarise last quarter's sales for the north-east region and flag anything unusual against the same quarter last year?"}`)

// The statements of the default table prefix, as the Backend runs them.
const (
	rawAppendState = `SELECT (SELECT expires_at FROM "agentsession_sessions" WHERE id = ?1),
	EXISTS (SELECT 1 FROM "agentsession_sessions" WHERE id = ?1),
	(SELECT max(pos) FROM "agentsession_items" WHERE session_id = ?1)`
	rawUpsert = `INSERT INTO "agentsession_sessions" (id, expires_at, updated_at) VALUES (?1, ?2, ?3)
	ON CONFLICT (id) DO UPDATE SET expires_at = excluded.expires_at, updated_at = excluded.updated_at`
	rawInsert1 = `INSERT INTO "agentsession_items" (session_id, pos, data) VALUES (?1, ?2 + 0, ?3)`
	rawNewest  = `SELECT data FROM "agentsession_items" WHERE session_id = ?1
	AND EXISTS (SELECT 1 FROM "agentsession_sessions" WHERE id = ?1 AND (expires_at IS NULL OR expires_at > ?2)) ORDER BY pos DESC LIMIT ?3`
	rawAll = `SELECT data FROM "agentsession_items" WHERE session_id = ?1
	AND EXISTS (SELECT 1 FROM "agentsession_sessions" WHERE id = ?1 AND (expires_at IS NULL OR expires_at > ?2)) ORDER BY pos`
	rawPop = `DELETE FROM "agentsession_items" WHERE rowid = (SELECT rowid FROM "agentsession_items" WHERE session_id = ?1
	AND EXISTS (SELECT 1 FROM "agentsession_sessions" WHERE id = ?1 AND (expires_at IS NULL OR expires_at > ?2)) ORDER BY pos DESC LIMIT 1) RETURNING data`
	rawTouch = `UPDATE "agentsession_sessions" SET updated_at = ?2 WHERE id = ?1 AND EXISTS (SELECT 1 FROM "agentsession_items" WHERE session_id = ?1)`
)

// benchEnv is a Backend and a raw pool on one new database file.
type benchEnv struct {
	backend *sqlitesession.Backend
	raw     *sql.DB
}

func newBenchEnv(b *testing.B) *benchEnv {
	b.Helper()
	path := filepath.Join(b.TempDir(), "bench.db")
	be, err := sqlitesession.Open(context.Background(), path, nil)
	if err != nil {
		b.Fatal(err)
	}
	b.Cleanup(func() { be.Close() })
	raw, err := sql.Open("sqlite", sqlitesession.DSN(path, sqlitesession.DefaultBusyTimeout))
	if err != nil {
		b.Fatal(err)
	}
	raw.SetMaxIdleConns(max(4, runtime.GOMAXPROCS(0)))
	b.Cleanup(func() { raw.Close() })
	e := &benchEnv{backend: be, raw: raw}
	// Grow the WAL file past its checkpoint size (1,000 pages) before timing:
	// writes to a WAL that is still growing extend the file and cost more to
	// sync than writes over space it reuses, which would favour whichever
	// side of a pair runs second.
	warm := e.session(b, "warm-up", 30_000)
	if err := warm.ClearSession(context.Background()); err != nil {
		b.Fatal(err)
	}
	return e
}

// session returns session id holding n payload items.
func (e *benchEnv) session(b *testing.B, id string, n int) *agentsession.Session {
	b.Helper()
	s, err := agentsession.New(e.backend, id, nil)
	if err != nil {
		b.Fatal(err)
	}
	fill(b, s, n)
	return s
}

func fill(b *testing.B, s *agentsession.Session, n int) {
	b.Helper()
	if n > 0 {
		if err := s.AddItems(context.Background(), slices.Repeat([]json.RawMessage{payload}, n)); err != nil {
			b.Fatal(err)
		}
	}
}

// rawWrite runs f between BEGIN IMMEDIATE and COMMIT on one connection.
func rawWrite(ctx context.Context, db *sql.DB, f func(c *sql.Conn) error) error {
	c, err := db.Conn(ctx)
	if err != nil {
		return err
	}
	defer c.Close()
	if _, err := c.ExecContext(ctx, "BEGIN IMMEDIATE"); err != nil {
		return err
	}
	if err := f(c); err != nil {
		c.ExecContext(context.Background(), "ROLLBACK")
		return err
	}
	_, err = c.ExecContext(ctx, "COMMIT")
	return err
}

// rawRead runs query and returns the items, reversed when newest first.
func rawRead(ctx context.Context, db *sql.DB, newestFirst bool, query string, args ...any) ([][]byte, error) {
	rows, err := db.QueryContext(ctx, query, args...)
	if err != nil {
		return nil, err
	}
	defer rows.Close()
	var items [][]byte
	for rows.Next() {
		var d []byte
		if err := rows.Scan(&d); err != nil {
			return nil, err
		}
		items = append(items, d)
	}
	if newestFirst {
		slices.Reverse(items)
	}
	return items, rows.Err()
}

// pair is one library operation and its raw baseline, each ready to run
// once; prepare, when set, runs before either with the timer stopped.
type pair struct {
	name         string
	session, raw func() error
	prepare      func() error
}

// pairs makes the benchmarked pairs on e, with their sessions filled.
func pairs(b *testing.B, e *benchEnv) []pair {
	ctx := context.Background()
	var ps []pair

	// AddItems of 1 item, no TTL.
	add := e.session(b, "add-session", 0)
	addKey := []byte("add-raw")
	ps = append(ps, pair{name: "Add1",
		session: func() error { return add.AddItems(ctx, []json.RawMessage{payload}) },
		raw: func() error {
			return rawWrite(ctx, e.raw, func(c *sql.Conn) error {
				var (
					expires sql.NullInt64
					exists  bool
					last    sql.NullInt64
				)
				if err := c.QueryRowContext(ctx, rawAppendState, addKey).Scan(&expires, &exists, &last); err != nil {
					return err
				}
				next := int64(0)
				if last.Valid {
					next = last.Int64 + 1
				}
				var exp any
				if expires.Valid {
					exp = expires.Int64
				}
				if _, err := c.ExecContext(ctx, rawUpsert, addKey, exp, time.Now().UnixMilli()); err != nil {
					return err
				}
				_, err := c.ExecContext(ctx, rawInsert1, addKey, next, string(payload))
				return err
			})
		},
	})

	// GetItems(10) of 1,000 items and GetItems(0) of 100.
	for _, g := range []struct {
		name     string
		n, limit int
	}{{"GetItems10", 1000, 10}, {"GetAll100", 100, 0}} {
		s := e.session(b, g.name+"-session", g.n)
		e.session(b, g.name+"-raw", g.n)
		key := []byte(g.name + "-raw")
		ps = append(ps, pair{name: g.name,
			session: func() error {
				items, err := s.GetItems(ctx, g.limit)
				if err == nil && len(items) == 0 {
					b.Fatal("GetItems: no items")
				}
				return err
			},
			raw: func() error {
				var (
					items [][]byte
					err   error
				)
				if g.limit > 0 {
					items, err = rawRead(ctx, e.raw, true, rawNewest, key, time.Now().UnixMilli(), g.limit)
				} else {
					items, err = rawRead(ctx, e.raw, false, rawAll, key, time.Now().UnixMilli())
				}
				if err == nil && len(items) == 0 {
					b.Fatal("raw read: no items")
				}
				return err
			},
		})
	}

	// PopItem, refilling both sessions with refillBy items when empty.
	pop := e.session(b, "pop-session", 0)
	popRaw := e.session(b, "pop-raw", 0)
	popKey := []byte("pop-raw")
	left := 0 // items in each session
	ps = append(ps, pair{name: "Pop",
		prepare: func() error {
			if left == 0 {
				fill(b, pop, refillBy)
				fill(b, popRaw, refillBy)
				left = refillBy
			}
			left--
			return nil
		},
		session: func() error {
			item, err := pop.PopItem(ctx)
			if err == nil && item == nil {
				b.Fatal("PopItem: no item")
			}
			return err
		},
		raw: func() error {
			var item []byte
			return rawWrite(ctx, e.raw, func(c *sql.Conn) error {
				now := time.Now().UnixMilli()
				if err := c.QueryRowContext(ctx, rawPop, popKey, now).Scan(&item); err != nil {
					return err
				}
				_, err := c.ExecContext(ctx, rawTouch, popKey, now)
				return err
			})
		},
	})
	return ps
}

// refillBy is how many items the pop benchmarks add, with the timer stopped,
// whenever they have popped them all.
const refillBy = 1000

// BenchmarkPairs runs each side of each pair back to back: Pairs/{pair}/session
// and Pairs/{pair}/raw.
func BenchmarkPairs(b *testing.B) {
	e := newBenchEnv(b)
	for _, p := range pairs(b, e) {
		b.Run(p.name, func(b *testing.B) {
			for _, side := range []struct {
				name string
				op   func() error
			}{{"session", p.session}, {"raw", p.raw}} {
				b.Run(side.name, func(b *testing.B) {
					for b.Loop() {
						if p.prepare != nil {
							b.StopTimer()
							p.prepare()
							b.StartTimer()
						}
						if err := side.op(); err != nil {
							b.Fatal(err)
						}
					}
				})
			}
		})
	}
}

// BenchmarkInterleaved runs each pair one operation of each side after the
// other in one loop, so that the drift of a shared machine (and of fsync
// times) falls on both alike. It reports each side's time per operation
// (session-ns/op, raw-ns/op) and lib/raw, the library's operations per second
// over the baseline's: 1 is no overhead, 0.9 is 10% fewer operations.
func BenchmarkInterleaved(b *testing.B) {
	e := newBenchEnv(b)
	for _, p := range pairs(b, e) {
		b.Run(p.name, func(b *testing.B) {
			var lib, raw time.Duration
			for i := 0; b.Loop(); i++ {
				b.StopTimer()
				if p.prepare != nil {
					p.prepare()
				}
				// Alternate which side goes first, so that neither always
				// meets a cache the other warmed.
				first, second, ft, st := p.session, p.raw, &lib, &raw
				if i%2 == 1 {
					first, second, ft, st = p.raw, p.session, &raw, &lib
				}
				b.StartTimer()
				t0 := time.Now()
				if err := first(); err != nil {
					b.Fatal(err)
				}
				t1 := time.Now()
				if err := second(); err != nil {
					b.Fatal(err)
				}
				t2 := time.Now()
				*ft += t1.Sub(t0)
				*st += t2.Sub(t1)
			}
			n := float64(b.N)
			b.ReportMetric(float64(lib.Nanoseconds())/n, "session-ns/op")
			b.ReportMetric(float64(raw.Nanoseconds())/n, "raw-ns/op")
			b.ReportMetric(float64(raw)/float64(lib), "lib/raw")
		})
	}
}
