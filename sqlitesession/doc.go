// Package sqlitesession is the SQLite backend of agentsession, the embedded
// default store: sessions in one database file, with no server to run, on
// modernc.org/sqlite (pure Go, no cgo), the database/sql driver "sqlite".
//
// Open opens or creates a file and its tables; New takes a *sql.DB that the
// caller opened and keeps open. Either gives a *Backend for agentsession.New.
//
// # Schema
//
// Two tables, named after Options.TablePrefix (default "agentsession_"), and
// an index; Open creates them if they are absent (see Backend.Schema):
//
//	CREATE TABLE agentsession_sessions (
//		id         BLOB PRIMARY KEY NOT NULL, -- the session ID, byte for byte
//		expires_at INTEGER,                   -- Unix ms; NULL: never expires
//		updated_at INTEGER NOT NULL           -- Unix ms of the last Append or Pop
//	) WITHOUT ROWID;
//	CREATE INDEX agentsession_sessions_expires_at
//		ON agentsession_sessions (expires_at) WHERE expires_at IS NOT NULL;
//	CREATE TABLE agentsession_items (
//		session_id BLOB NOT NULL REFERENCES agentsession_sessions (id) ON DELETE CASCADE,
//		pos        INTEGER NOT NULL,          -- 0, 1, 2, ... oldest first
//		data       TEXT NOT NULL,             -- one item, a JSON object
//		PRIMARY KEY (session_id, pos)
//	);
//
// IDs are BLOBs, so that any ID round-trips exactly, NUL bytes and invalid
// UTF-8 included, and sorts as Go sorts strings. Items are TEXT, so that
// SQLite's JSON functions read them (json_extract(data, '$.role')); the bytes
// are stored as given, unchecked. A session has a sessions row exactly when
// it has items: popping the last item or clearing it deletes the row.
//
// # Operations
//
//   - Items: one SELECT that checks the expiry and reads the items in one
//     snapshot; with a limit N, ORDER BY pos DESC LIMIT N on the
//     (session_id, pos) index, reversed, so reading the newest N items costs
//     the same at any length.
//   - Append, Pop, Clear, ItemsRefresh and Purge: each one write
//     transaction (BEGIN IMMEDIATE ... COMMIT). A batch is appended whole or
//     not at all, at positions that follow on from the newest, and the
//     expiry is set in the same transaction (ttl 0 keeps it as it was).
//   - Pop: DELETE ... WHERE rowid = (SELECT rowid ... ORDER BY pos DESC
//     LIMIT 1) RETURNING data, so two concurrent pops never return one item.
//   - List: one SELECT in order of ID, with a COUNT of each session's items.
//
// # TTL and Purge
//
// A TTL is stored as an expiry time, rounded up to the millisecond. There is
// no goroutine: every read compares expires_at with the time, so an expired
// session reads as empty and is not listed at once. Its rows are deleted when
// it is next touched (read, appended to or popped) and by Backend.Purge,
// which deletes every expired session; call Purge now and then to reclaim
// the space of sessions never touched again.
//
// # Concurrency
//
// A Backend is safe for concurrent use. Reads run in parallel (with WAL they
// never wait for a writer). SQLite allows one writer at a time: a Backend
// queues its own write transactions in Go, in a wait that ends with the
// context; writers in other Backends or processes on the same file wait for the lock
// under busy_timeout (5s from Open), then fail with SQLITE_BUSY. Each
// transaction begins with BEGIN IMMEDIATE, taking the write lock at the
// start, so no transaction fails half way for want of it. Every query takes
// the caller's context; a transaction whose context ends before its COMMIT is
// rolled back, and errors from the driver are returned unchanged.
//
// # URLs
//
// It registers the scheme "sqlite" with agentsession.OpenStore, which opens
// the file with Open; Store.Close closes it. The forms:
//
//   - sqlite:///abs/path/sessions.db: an absolute path
//   - sqlite:rel/path/sessions.db: a path relative to the working directory
//   - sqlite://./rel/sessions.db and sqlite://../rel/sessions.db: the same,
//     for tools that want "//"
//
// Other hosts ("sqlite://data/x.db") are refused, as are a user or port.
// Escape '?', '#' and '%' in a path as %3F, %23 and %25. The parameters of the
// backend are table_prefix (Options.TablePrefix) and busy_timeout
// (Options.BusyTimeout, a Go duration or whole seconds); besides them
// OpenStore takes ttl and sliding_ttl, and any other parameter is an error:
//
//	sqlite:///var/lib/app/sessions.db?table_prefix=app_&ttl=24h
package sqlitesession
