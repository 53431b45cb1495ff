package pgsession

import (
	"context"
	"strings"

	"github.com/jackc/pgx/v5"
)

// schemaSQL is the schema, with "{p}" for the table prefix. Items occupy
// positions 0 to item_count-1 of their session, with no gaps: appends add at
// the end and pops take from it, and a session's row goes, with its items,
// when its last item does, so positions restart at 0.
//
// IDs are BYTEA because session IDs may hold NUL bytes and invalid UTF-8,
// which TEXT rejects; items are BYTEA so that they come back byte for byte as
// given (JSONB would re-format them and reject damaged ones).
var schemaSQL = []string{
	`CREATE TABLE IF NOT EXISTS {p}sessions (
  id         BYTEA PRIMARY KEY,
  item_count BIGINT NOT NULL,
  expires_at TIMESTAMPTZ,
  updated_at TIMESTAMPTZ NOT NULL
)`,
	`CREATE INDEX IF NOT EXISTS {p}sessions_expiry ON {p}sessions (expires_at) WHERE expires_at IS NOT NULL`,
	`CREATE TABLE IF NOT EXISTS {p}items (
  session_id BYTEA  NOT NULL,
  pos        BIGINT NOT NULL,
  data       BYTEA  NOT NULL,
  PRIMARY KEY (session_id, pos)
)`,
}

// Schema returns the SQL that CreateSchema runs for the tables of prefix
// (DefaultTablePrefix when empty), for operators who create tables
// themselves, for example in a migration. It is idempotent: every statement
// is CREATE ... IF NOT EXISTS. It fails for an invalid prefix (see
// Options.TablePrefix).
func Schema(prefix string) (string, error) {
	if prefix == "" {
		prefix = DefaultTablePrefix
	}
	if err := checkPrefix(prefix); err != nil {
		return "", err
	}
	var b strings.Builder
	for _, s := range schemaSQL {
		b.WriteString(strings.ReplaceAll(s, "{p}", prefix))
		b.WriteString(";\n")
	}
	return b.String(), nil
}

// CreateSchema creates the backend's tables and index unless they exist, in
// one transaction. It is idempotent and safe to call from many processes at
// once (they queue on an advisory lock). Nothing else creates them: the
// operations of a Backend whose tables are missing fail with ErrNoSchema.
func (b *Backend) CreateSchema(ctx context.Context) error {
	return pgx.BeginFunc(ctx, b.pool, func(tx pgx.Tx) error {
		// Two concurrent CREATE TABLE IF NOT EXISTS of one table can both
		// find it missing, and one then fails.
		if _, err := tx.Exec(ctx, "SELECT pg_advisory_xact_lock(hashtext($1))", "pgsession:"+b.prefix); err != nil {
			return err
		}
		for _, s := range schemaSQL {
			if _, err := tx.Exec(ctx, b.sql.expand(s)); err != nil {
				return err
			}
		}
		return nil
	})
}

// statements are the backend's SQL, with its table names.
type statements struct {
	prefix string

	items, refresh                 string // reads
	dropExpired, dropOrphans, drop string // removals of one session
	upsert, insertItems            string // append
	decrement, deleteNewest        string // pop
	dropEmpty                      string
	list, purge, purgeItems        string
}

// live is the condition that a session row has not expired.
const live = `(expires_at IS NULL OR expires_at > now())`

func newStatements(prefix string) statements {
	s := statements{prefix: prefix}
	x := s.expand
	// Reads go newest first through the primary key, so that LIMIT stops the
	// scan after limit rows (a NULL limit reads all). The count, read once
	// before the scan, bounds it: an expired or absent session has none.
	s.items = x(`SELECT data FROM {p}items
WHERE session_id = $1 AND pos < (SELECT item_count FROM {p}sessions WHERE id = $1 AND ` + live + `)
ORDER BY pos DESC LIMIT $2`)
	s.refresh = x(`UPDATE {p}sessions SET expires_at = now() + $2::bigint * interval '1 microsecond'
WHERE id = $1 AND ` + live)

	s.dropExpired = x(`DELETE FROM {p}sessions WHERE id = $1 AND expires_at <= now()`)
	// Deletes the items of a session whose row is gone: run after deleting
	// the row (which holds off appends and pops until the transaction ends),
	// and as a statement of its own, so that its snapshot also holds items
	// that a concurrent append committed while this transaction waited for
	// the row.
	s.dropOrphans = x(`DELETE FROM {p}items
WHERE session_id = $1 AND NOT EXISTS (SELECT FROM {p}sessions WHERE id = $1)`)
	s.drop = x(`DELETE FROM {p}sessions WHERE id = $1`)

	// The upsert locks the session's row (or makes it) until the transaction
	// ends; the insert then reads the new count, in a snapshot taken after the
	// lock, to place the items just below it.
	s.upsert = x(`INSERT INTO {p}sessions AS s (id, item_count, expires_at, updated_at)
VALUES ($1, $2::bigint, now() + $3::bigint * interval '1 microsecond', now())
ON CONFLICT (id) DO UPDATE SET
  item_count = s.item_count + EXCLUDED.item_count,
	expires_at = COALESCE(EXCLUDED.expires_at, s.expires_at),
	updated_at = GREATEST(s.updated_at, EXCLUDED.updated_at)`)
	s.insertItems = x(`INSERT INTO {p}items (session_id, pos, data)
SELECT $1, s.item_count - $2::bigint + t.ord - 1, t.data
FROM {p}sessions s, unnest($3::bytea[]) WITH ORDINALITY AS t (data, ord)
WHERE s.id = $1`)

	// As for appends, the UPDATE locks the row and the DELETE, a statement of
	// its own, reads the count it left.
	s.decrement = x(`UPDATE {p}sessions
SET item_count = item_count - 1, updated_at = GREATEST(updated_at, now())
WHERE id = $1 AND item_count > 0 AND ` + live)
	s.deleteNewest = x(`DELETE FROM {p}items
WHERE session_id = $1 AND pos = (SELECT item_count FROM {p}sessions WHERE id = $1)
RETURNING data`)
	s.dropEmpty = x(`DELETE FROM {p}sessions WHERE id = $1 AND item_count <= 0`)

	s.list = x(`SELECT id, item_count, expires_at, updated_at, now() FROM {p}sessions
WHERE id > $1 AND ` + live + `
ORDER BY id LIMIT $2`)
	// SKIP LOCKED: a session that another transaction holds is left for it
	// (or for the next Purge), and purges never wait for each other.
	s.purge = x(`DELETE FROM {p}sessions WHERE id IN (
	SELECT id FROM {p}sessions WHERE expires_at <= now()
	ORDER BY expires_at LIMIT $1 FOR UPDATE SKIP LOCKED
) AND expires_at <= now()
RETURNING id`)
	s.purgeItems = x(`DELETE FROM {p}items AS i
WHERE i.session_id = ANY ($1::bytea[]) AND NOT EXISTS (SELECT FROM {p}sessions WHERE id = i.session_id)`)
	return s
}

func (s statements) expand(sql string) string { return strings.ReplaceAll(sql, "{p}", s.prefix) }
