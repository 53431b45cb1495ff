package pgsession

import (
	"context"
	"errors"
	"fmt"
	"regexp"
	"time"

	"github.com/agentsession/agentsession"
	"github.com/jackc/pgx/v5"
	"github.com/jackc/pgx/v5/pgconn"
	"github.com/jackc/pgx/v5/pgxpool"
)

// DefaultTablePrefix is the table prefix of a Backend whose
// Options.TablePrefix is empty.
const DefaultTablePrefix = "agentsession_"

// MaxTablePrefixLen is the longest Options.TablePrefix, in bytes, which keeps
// every table, index and constraint name within PostgreSQL's 63.
const MaxTablePrefixLen = 40

var (
	// ErrNilPool is returned by New for a nil pool.
	ErrNilPool = errors.New("pgsession: nil pool")

	// ErrNoSchema is wrapped by the error of every operation on a database
	// that lacks the backend's tables (SQLSTATE 42P01, undefined_table): call
	// Backend.CreateSchema once, or apply the SQL of Schema, then retry. The
	// *pgconn.PgError stays in the chain.
	ErrNoSchema = errors.New("pgsession: schema not created")
)

// Options configures a Backend. A nil *Options means all defaults.
type Options struct {
	// TablePrefix comes before "sessions" and "items" in the names of the two
	// tables, and before the names of their index and constraints. Default
	// (when empty): DefaultTablePrefix, "agentsession_". It is 1 to
	// MaxTablePrefixLen bytes of lower-case ASCII letters, digits and "_",
	// starting with a letter or "_", so the names never need quoting. To put
	// the tables in a schema of their own, set search_path (a run-time
	// parameter of the connection string).
	TablePrefix string
}

// Backend stores sessions in two PostgreSQL tables. It implements
// agentsession.Backend, agentsession.Refresher, agentsession.Lister and
// agentsession.Expirer;
// applications use it through agentsession.New. It is safe for concurrent
// use.
type Backend struct {
	pool   *pgxpool.Pool
	owned  bool // made by the URL opener: Close closes it
	prefix string
	sql    statements
}

var (
	_ agentsession.Backend   = (*Backend)(nil)
	_ agentsession.Refresher = (*Backend)(nil)
	_ agentsession.Lister    = (*Backend)(nil)
)

var prefixRE = regexp.MustCompile(`^[a-z_][a-z0-9_]*$`)

// New returns a Backend that stores sessions through pool, in the tables named
// by opts.TablePrefix. New does no I/O: the tables must exist (see
// CreateSchema and Schema) before the first operation. The Backend never
// closes pool.
func New(pool *pgxpool.Pool, opts *Options) (*Backend, error) {
	if pool == nil {
		return nil, ErrNilPool
	}
	var o Options
	if opts != nil {
		o = *opts
	}
	if o.TablePrefix == "" {
		o.TablePrefix = DefaultTablePrefix
	}
	if err := checkPrefix(o.TablePrefix); err != nil {
		return nil, err
	}
	return &Backend{pool: pool, prefix: o.TablePrefix, sql: newStatements(o.TablePrefix)}, nil
}

func checkPrefix(p string) error {
	if len(p) > MaxTablePrefixLen || !prefixRE.MatchString(p) {
		return fmt.Errorf("pgsession: table prefix %q: want 1 to %d bytes of a-z, 0-9 and _, not starting with a digit: %w",
			p, MaxTablePrefixLen, agentsession.ErrInvalidOptions)
	}
	return nil
}

// TablePrefix returns the prefix of the backend's table names.
func (b *Backend) TablePrefix() string { return b.prefix }

// Close closes the pool when the backend made it (agentsession.OpenStore);
// a pool given to New is left open. It always returns nil.
func (b *Backend) Close() error {
	if b.owned {
		b.pool.Close()
	}
	return nil
}

// Items implements agentsession.Backend: one SELECT of the newest limit rows
// through the primary key (all rows when limit is 0).
func (b *Backend) Items(ctx context.Context, id string, limit int) ([][]byte, error) {
	rows, err := b.pool.Query(ctx, b.sql.items, []byte(id), limitArg(limit))
	if err != nil {
		return nil, b.check(err)
	}
	items, err := collect(rows)
	return items, b.check(err)
}

// ItemsRefresh implements agentsession.Refresher: the UPDATE of the expiry
// and the SELECT of Items in one transaction.
func (b *Backend) ItemsRefresh(ctx context.Context, id string, limit int, ttl time.Duration) ([][]byte, error) {
	key := []byte(id)
	batch := &pgx.Batch{}
	batch.Queue(b.sql.refresh, key, micros(ttl))
	batch.Queue(b.sql.items, key, limitArg(limit))
	br := b.pool.SendBatch(ctx, batch)
	var items [][]byte
	_, err := br.Exec()
	if err == nil {
		var rows pgx.Rows
		rows, err = br.Query()
		if err == nil {
			items, err = collect(rows)
		}
	}
	return items, b.check(closeBatch(br, err))
}

// Append implements agentsession.Backend. One batch, which PostgreSQL runs as
// one transaction, drops the session if it has expired, locks its row with an
// upsert that adds len(items) to its count and sets its expiry, then inserts
// the items at the positions after the old count. Concurrent appends to one
// session queue on that row lock, so each batch lands contiguously.
func (b *Backend) Append(ctx context.Context, id string, items [][]byte, ttl time.Duration) error {
	key := []byte(id)
	batch := &pgx.Batch{}
	batch.Queue(b.sql.dropExpired, key)
	batch.Queue(b.sql.dropOrphans, key)
	batch.Queue(b.sql.upsert, key, int64(len(items)), expiryArg(ttl))
	batch.Queue(b.sql.insertItems, key, int64(len(items)), items)
	return b.check(b.execBatch(ctx, batch))
}

// Pop implements agentsession.Backend. One batch, run as one transaction,
// drops the session if it has expired, locks its row while taking one from
// its count, deletes the item at the new count (the newest) and returns it,
// and deletes the row if that was the last item. Concurrent pops queue on the
// row lock, so no two return the same item.
func (b *Backend) Pop(ctx context.Context, id string) ([]byte, error) {
	key := []byte(id)
	batch := &pgx.Batch{}
	batch.Queue(b.sql.dropExpired, key)
	batch.Queue(b.sql.dropOrphans, key)
	batch.Queue(b.sql.decrement, key)
	batch.Queue(b.sql.deleteNewest, key)
	batch.Queue(b.sql.dropEmpty, key)
	br := b.pool.SendBatch(ctx, batch)
	var item []byte
	var err error
	for range 3 {
		if _, err = br.Exec(); err != nil {
			break
		}
	}
	if err == nil {
		err = br.QueryRow().Scan(&item)
		switch {
		case errors.Is(err, pgx.ErrNoRows):
			item, err = nil, nil
		case err == nil && item == nil:
			item = []byte{} // an empty element, not "no element"
		}
	}
	if err == nil {
		_, err = br.Exec()
	}
	return item, b.check(closeBatch(br, err))
}

// Clear implements agentsession.Backend: it deletes the session's row and
// then its items, in one transaction.
func (b *Backend) Clear(ctx context.Context, id string) error {
	key := []byte(id)
	batch := &pgx.Batch{}
	batch.Queue(b.sql.drop, key)
	batch.Queue(b.sql.dropOrphans, key)
	return b.check(b.execBatch(ctx, batch))
}

// execBatch sends batch, whose statements return no rows, and reads every
// result.
func (b *Backend) execBatch(ctx context.Context, batch *pgx.Batch) error {
	br := b.pool.SendBatch(ctx, batch)
	var err error
	for range batch.Len() {
		if _, err = br.Exec(); err != nil {
			break
		}
	}
	return closeBatch(br, err)
}

// closeBatch closes br and returns err, or else the error of closing it.
func closeBatch(br pgx.BatchResults, err error) error {
	if cerr := br.Close(); err == nil {
		err = cerr
	}
	return err
}

// check marks a missing table with ErrNoSchema, keeping the *pgconn.PgError
// in the chain; other errors pass unchanged.
func (b *Backend) check(err error) error {
	var pe *pgconn.PgError
	if err != nil && errors.As(err, &pe) && pe.Code == "42P01" {
		return fmt.Errorf("%w: the tables %ssessions and %sitems are missing (call Backend.CreateSchema or apply pgsession.Schema): %w",
			ErrNoSchema, b.prefix, b.prefix, err)
	}
	return err
}

// collect reads the single bytea column of rows. Each item is its own copy.
func collect(rows pgx.Rows) ([][]byte, error) {
	defer rows.Close()
	var items [][]byte
	for rows.Next() {
		var it []byte
		if err := rows.Scan(&it); err != nil {
			return nil, err
		}
		if it == nil {
			it = []byte{}
		}
		items = append(items, it)
	}
	if err := rows.Err(); err != nil {
		return nil, err
	}
	// The query read them newest first, so that a limit stops the index scan.
	for i, j := 0, len(items)-1; i < j; i, j = i+1, j-1 {
		items[i], items[j] = items[j], items[i]
	}
	return items, nil
}

// limitArg is the LIMIT of a read: NULL (all rows) for 0.
func limitArg(limit int) *int64 {
	if limit <= 0 {
		return nil
	}
	n := int64(limit)
	return &n
}

// micros is ttl in whole microseconds, PostgreSQL's resolution, rounded up so
// that a TTL never shortens.
func micros(ttl time.Duration) int64 {
	return int64((ttl + time.Microsecond - 1) / time.Microsecond)
}

// expiryArg is the TTL parameter of an append: NULL, which keeps the expiry,
// for 0.
func expiryArg(ttl time.Duration) *int64 {
	if ttl <= 0 {
		return nil
	}
	m := micros(ttl)
	return &m
}
