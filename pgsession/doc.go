// Package pgsession is the PostgreSQL backend of agentsession, on pgx
// (github.com/jackc/pgx/v5/pgxpool): sessions in two tables, one row per
// session and one per item.
//
// # Schema
//
// With the default table prefix, "agentsession_" (Options.TablePrefix):
//
//	CREATE TABLE IF NOT EXISTS agentsession_sessions (
//		id         BYTEA PRIMARY KEY,      -- the session ID, byte for byte
//		item_count BIGINT NOT NULL,        -- its items are at positions 0 .. item_count-1
//		expires_at TIMESTAMPTZ,            -- NULL: it never expires
//		updated_at TIMESTAMPTZ NOT NULL    -- its last append or pop
//	);
//	CREATE INDEX IF NOT EXISTS agentsession_sessions_expiry
//		ON agentsession_sessions (expires_at) WHERE expires_at IS NOT NULL;
//	CREATE TABLE IF NOT EXISTS agentsession_items (
//		session_id BYTEA  NOT NULL,
//		pos        BIGINT NOT NULL,        -- 0 is the oldest item
//		data       BYTEA  NOT NULL,        -- the item, exactly the bytes given
//		PRIMARY KEY (session_id, pos)
//	);
//
// IDs are BYTEA because a session ID may hold NUL bytes and invalid UTF-8,
// which TEXT rejects; items are BYTEA, not JSONB, so that they come back as
// they were written, byte for byte. A session has a row only while it has
// items: the pop of its last item deletes the row, and the session then is
// not listed.
//
// The schema is created on request, never silently. Call
// [Backend.CreateSchema] once (it is idempotent and safe to run from many
// processes at once), or apply the SQL that [Schema] returns, for example in
// a migration. Until then every operation fails with an error that wraps
// [ErrNoSchema] and keeps the *pgconn.PgError (SQLSTATE 42P01) in its chain.
//
// # URLs
//
// The package registers the schemes "postgres" and "postgresql" with
// agentsession.Register, for agentsession.OpenStore:
//
//	postgres://user:password@host:5432/db?sslmode=disable&table_prefix=app_&create_schema=true&ttl=24h
//
// Its own parameters are
//
//   - table_prefix: Options.TablePrefix; default "agentsession_"
//   - create_schema: true to run CreateSchema when the store opens; default
//     false, and then the tables must already exist
//
// together with agentsession's ttl and sliding_ttl. Every other parameter
// goes, with the rest of the URL, to pgxpool.ParseConfig: pgx's and pgxpool's
// own (sslmode, pool_max_conns, ...) and PostgreSQL run-time parameters
// (search_path, application_name, ...). A name that neither pgx nor the
// server knows makes OpenStore fail, as the opener connects once to check
// the server. The store's backend owns its pool: Store.Close closes it. Error
// messages never show the password.
//
// # TTL and purging
//
// A TTL is stored as an expiry time, computed by the server (now() + ttl), so
// the clocks of clients do not matter. An expired session reads as empty and
// is not listed. Its rows stay until the next append or pop of that session,
// which deletes them first, or until [Backend.Purge], which deletes every
// expired session; nothing runs Purge in the background.
//
// # Atomicity and concurrency
//
// Every write is one transaction, sent in one round trip as a pgx batch
// (PostgreSQL runs the statements of a batch as one implicit transaction):
//
//   - Append locks the session's row with an upsert (INSERT ... ON CONFLICT DO
//     UPDATE) that adds to item_count and sets the expiry, then inserts the
//     items below the new count. Concurrent appends to one session queue on
//     that lock, so each batch is stored whole, contiguous and in order, and a
//     failed or cancelled append stores nothing.
//   - Pop locks the row while it takes one from item_count, then deletes and
//     returns the item at the new count, in a statement of its own so that
//     its snapshot holds items committed while it waited. Concurrent pops
//     never return the same item.
//   - Clear deletes the row, then the session's items.
//
// Reads are one statement each, so they see one snapshot. A limited read
// reads only the newest limit rows, backwards through the primary key. With
// SlidingTTL, the refresh and the read are one transaction.
//
// Errors from pgx are returned unchanged (agentsession.Session adds the
// operation and session ID), so errors.As finds a *pgconn.PgError. When a
// context ends during a call, pgx closes the connection, and PostgreSQL rolls
// back whatever the call had not committed.
package pgsession
