package pgsession_test

import (
	"context"
	"crypto/sha256"
	"encoding/hex"
	"testing"

	"github.com/agentsession/agentsession"
	"github.com/agentsession/agentsession/internal/testenv"
	"github.com/agentsession/agentsession/pgsession"
	"github.com/agentsession/agentsession/sessiontest"
	"github.com/jackc/pgx/v5/pgxpool"
)

// serverURL returns the URL of the PostgreSQL server named by
// AGENTSESSION_POSTGRES_URL; the test skips without one (fails under CI).
func serverURL(t testing.TB) string {
	t.Helper()
	return testenv.Get(t, "AGENTSESSION_POSTGRES_URL",
		"a PostgreSQL server (for example postgres://user:password@127.0.0.1:5432/db?sslmode=disable)")
}

// newPool returns a pool of the test server, closed when t ends.
func newPool(t testing.TB) *pgxpool.Pool {
	t.Helper()
	url := serverURL(t)
	pool, err := pgxpool.New(context.Background(), url)
	if err != nil {
		t.Fatalf("AGENTSESSION_POSTGRES_URL: %v", err)
	}
	t.Cleanup(pool.Close)
	if err := pool.Ping(t.Context()); err != nil {
		t.Fatalf("PostgreSQL at %s does not answer: %v", agentsession.Redact(url), err)
	}
	return pool
}

// uniquePrefix is a table prefix of t's own: sessiontest.UniquePrefix, which
// holds characters that table names may not, hashed to "t{16 hex}_".
func uniquePrefix(t testing.TB) string {
	sum := sha256.Sum256([]byte(sessiontest.UniquePrefix(t)))
	return "t" + hex.EncodeToString(sum[:8]) + "_"
}

// newBackend returns a backend on pool with tables of its own, created now and
// dropped when t ends.
func newBackend(t testing.TB, pool *pgxpool.Pool) *pgsession.Backend {
	t.Helper()
	b, err := pgsession.New(pool, &pgsession.Options{TablePrefix: uniquePrefix(t)})
	if err != nil {
		t.Fatal(err)
	}
	if err := b.CreateSchema(t.Context()); err != nil {
		t.Fatalf("CreateSchema: %v", err)
	}
	dropTables(t, pool, b.TablePrefix())
	return b
}

// dropTables drops the tables of prefix when t ends.
func dropTables(t testing.TB, pool *pgxpool.Pool, prefix string) {
	t.Cleanup(func() {
		// t.Context is already done when cleanups run.
		_, err := pool.Exec(context.Background(), "DROP TABLE IF EXISTS "+prefix+"sessions, "+prefix+"items")
		if err != nil {
			t.Errorf("dropping the tables of %s: %v", prefix, err)
		}
	})
}

func TestConformance(t *testing.T) {
	pool := newPool(t)
	sessiontest.Run(t, func(t *testing.T) (agentsession.Backend, error) {
		return newBackend(t, pool), nil
	})
}
