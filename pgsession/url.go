package pgsession

import (
	"context"
	"fmt"
	"net/url"

	"github.com/agentsession/agentsession"
	"github.com/agentsession/agentsession/internal/urlopt"
	"github.com/jackc/pgx/v5/pgxpool"
)

func init() {
	agentsession.Register("postgres", open)
	agentsession.Register("postgresql", open)
}

// open is the Opener of the schemes "postgres" and "postgresql": it reads
// table_prefix and create_schema, hands the rest of the URL to
// pgxpool.ParseConfig, makes a pool of its own and checks that the server
// answers.
func open(ctx context.Context, u *url.URL) (agentsession.Backend, error) {
	q := urlopt.New(u)
	prefix := q.String("table_prefix", "")
	create, err := q.Bool("create_schema", false)
	if err != nil {
		return nil, err
	}
	rest := *u
	rest.RawQuery = q.Rest().Encode()
	cfg, err := pgxpool.ParseConfig(rest.String())
	if err != nil {
		// pgconn's parse errors mask the password.
		return nil, err
	}
	// Checked before a pool is made, so a bad prefix needs no server.
	if err := checkPrefix(orDefault(prefix)); err != nil {
		return nil, err
	}
	pool, err := pgxpool.NewWithConfig(ctx, cfg)
	if err != nil {
		return nil, err
	}
	b, err := New(pool, &Options{TablePrefix: prefix})
	if err != nil {
		pool.Close()
		return nil, err
	}
	b.owned = true
	// Connects now, so that a wrong address, password or run-time parameter
	// fails here rather than at the first operation.
	if err := pool.Ping(ctx); err != nil {
		pool.Close()
		return nil, fmt.Errorf("pgsession: connect: %w", err)
	}
	if create {
		if err := b.CreateSchema(ctx); err != nil {
			pool.Close()
			return nil, fmt.Errorf("pgsession: create schema: %w", err)
		}
	}
	return b, nil
}

func orDefault(prefix string) string {
	if prefix == "" {
		return DefaultTablePrefix
	}
	return prefix
}
