package sqlitesession

import (
	"context"
	"database/sql"
	"errors"
	"fmt"
	"net/url"
	"os"
	"path/filepath"
	"runtime"
	"strconv"
	"time"

	"github.com/agentsession/agentsession"
	_ "modernc.org/sqlite" // the database/sql driver "sqlite"
)

// DefaultTablePrefix is the table prefix used when Options.TablePrefix is
// empty: the tables are agentsession_sessions and agentsession_items.
const DefaultTablePrefix = "agentsession_"

// DefaultBusyTimeout is how long a connection opened by Open waits for
// another connection's write lock before it fails with SQLITE_BUSY.
const DefaultBusyTimeout = 5 * time.Second

var (
	// ErrNilDB is returned by New for a nil *sql.DB.
	ErrNilDB = errors.New("sqlitesession: nil database")
	// ErrInvalidPath is returned by Open for an empty path or ":memory:",
	// which database/sql would give a separate database per connection.
	ErrInvalidPath = errors.New("sqlitesession: invalid database path")
	// ErrInvalidOptions is returned by New and Open for a table prefix with
	// characters other than ASCII letters, digits and underscores, or a
	// negative busy timeout.
	ErrInvalidOptions = errors.New("sqlitesession: invalid options")
)

// Options configures a Backend. A nil *Options means all defaults.
type Options struct {
	// TablePrefix comes before "sessions" and "items" in the names of the two
	// tables (and of the index on expiry times). Default (when empty):
	// DefaultTablePrefix, "agentsession_". It may hold only ASCII letters,
	// digits and underscores. Two Backends with different prefixes share a
	// database file without seeing each other's sessions.
	TablePrefix string

	// BusyTimeout is how long a connection waits for another one's lock
	// (PRAGMA busy_timeout), in whole milliseconds. Open only: New leaves the
	// caller's database as it is. Default (when 0): DefaultBusyTimeout, 5s;
	// negative is an error.
	BusyTimeout time.Duration
}

// withDefaults checks o and returns a copy with the defaults filled in.
func (o *Options) withDefaults() (Options, error) {
	var c Options
	if o != nil {
		c = *o
	}
	if c.TablePrefix == "" {
		c.TablePrefix = DefaultTablePrefix
	}
	for _, r := range c.TablePrefix {
		if !(r == '_' || '0' <= r && r <= '9' || 'a' <= r && r <= 'z' || 'A' <= r && r <= 'Z') {
			return c, fmt.Errorf("%w: table prefix %q: use only ASCII letters, digits and underscores", ErrInvalidOptions, c.TablePrefix)
		}
	}
	if c.BusyTimeout < 0 {
		return c, fmt.Errorf("%w: busy timeout %v is negative", ErrInvalidOptions, c.BusyTimeout)
	}
	if c.BusyTimeout == 0 {
		c.BusyTimeout = DefaultBusyTimeout
	}
	return c, nil
}

// Backend stores sessions in two SQLite tables. It implements
// agentsession.Backend, agentsession.Refresher, agentsession.Lister and
// agentsession.Expirer;
// applications use it through agentsession.New. It is safe for concurrent use.
type Backend struct {
	db    *sql.DB
	owned bool // opened by Open, so closed by Close
	q     *queries
	// writing holds a token while a write transaction of this Backend runs.
	// SQLite lets one connection write at a time; queueing here, where the
	// wait honours ctx and is woken at once, beats polling under
	// busy_timeout. Other processes and Backends still meet at SQLite's lock.
	writing chan struct{}
	now     func() time.Time // time.Now; tests may replace it
}

var (
	_ agentsession.Backend   = (*Backend)(nil)
	_ agentsession.Refresher = (*Backend)(nil)
	_ agentsession.Lister    = (*Backend)(nil)
)

// New returns a Backend that stores sessions in db, a database opened by the
// caller with the driver of modernc.org/sqlite (or another SQLite driver for
// database/sql). New does no I/O: call CreateSchema once if the tables may
// not exist yet. The Backend never closes db.
//
// The settings of db are the caller's. Open a file with WAL and a busy
// timeout, as Open does, for example
// "file:/path/app.db?_pragma=busy_timeout(5000)&_pragma=journal_mode(WAL)&_pragma=foreign_keys(1)";
// without a busy timeout, writes from other connections or processes fail at
// once with SQLITE_BUSY instead of waiting their turn.
func New(db *sql.DB, opts *Options) (*Backend, error) {
	if db == nil {
		return nil, ErrNilDB
	}
	o, err := opts.withDefaults()
	if err != nil {
		return nil, err
	}
	return &Backend{db: db, q: newQueries(o.TablePrefix), writing: make(chan struct{}, 1), now: time.Now}, nil
}

// Open opens (creating them if need be) the SQLite database file at path and
// its directory, with WAL journaling, a busy timeout (Options.BusyTimeout)
// and foreign keys on, creates the tables if they are absent, and returns a
// Backend on it. Close closes the database.
//
// path is a file name, relative to the working directory or absolute; it may
// hold any character. ":memory:" is refused (each pooled connection would
// have a database of its own): use memsession for a store in memory.
func Open(ctx context.Context, path string, opts *Options) (*Backend, error) {
	o, err := opts.withDefaults()
	if err != nil {
		return nil, err
	}
	if path == "" || path == ":memory:" {
		return nil, fmt.Errorf("%w %q: want a file name", ErrInvalidPath, path)
	}
	abs, err := filepath.Abs(path)
	if err != nil {
		return nil, err
	}
	// The directory holds conversation history: only its owner may list it.
	if err := os.MkdirAll(filepath.Dir(abs), 0o700); err != nil {
		return nil, err
	}
	db, err := sql.Open("sqlite", dsn(abs, o.BusyTimeout))
	if err != nil {
		return nil, err
	}
	// database/sql keeps 2 idle connections by default; opening another one
	// under load runs the PRAGMAs again.
	db.SetMaxIdleConns(max(4, runtime.GOMAXPROCS(0)))
	b, err := New(db, &o)
	if err != nil {
		db.Close()
		return nil, err
	}
	b.owned = true
	if err := b.CreateSchema(ctx); err != nil {
		db.Close()
		return nil, err
	}
	return b, nil
}

// dsn returns the modernc.org/sqlite data source name of the file at abs. It
// is a "file:" URI, so that the path may hold '?' or '#' (escaped).
func dsn(abs string, busy time.Duration) string {
	u := url.URL{Scheme: "file", Path: filepath.ToSlash(abs)}
	ms := strconv.FormatInt(int64((busy+time.Millisecond-1)/time.Millisecond), 10)
	return u.String() + "?_pragma=busy_timeout(" + ms + ")&_pragma=journal_mode(WAL)&_pragma=foreign_keys(1)"
}

// CreateSchema creates the Backend's tables and index, those that do not exist
// yet, in one transaction; see Schema. Open calls it; call it after New when
// the tables may be missing. It never alters an existing table.
func (b *Backend) CreateSchema(ctx context.Context) error {
	return b.write(ctx, func(c *sql.Conn) error {
		_, err := c.ExecContext(ctx, b.q.schema)
		return err
	})
}

// Schema returns the SQL statements that CreateSchema runs, for those who
// manage their schema with a migration tool.
func (b *Backend) Schema() string { return b.q.schema }

// TablePrefix returns the prefix of the Backend's table names.
func (b *Backend) TablePrefix() string { return b.q.prefix }

// Close closes the database if Open opened it; on a Backend made by New it
// does nothing, as the database is the caller's.
func (b *Backend) Close() error {
	if !b.owned {
		return nil
	}
	return b.db.Close()
}
