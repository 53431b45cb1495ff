package sqlitesession

import (
	"strconv"
	"strings"
)

// insertChunk is the most items one INSERT carries: 2 + insertChunk
// parameters, well under SQLite's limit of 32,766.
const insertChunk = 500

// queries holds the SQL of one table prefix. Parameters are numbered (?1) so
// that a session ID is bound once however often a statement uses it.
type queries struct {
	prefix string
	schema string

	itemsAll, itemsNewest string // ?1 id, ?2 now; itemsNewest: ?3 limit
	expired               string // ?1 id, ?2 now
	purgeItems, purgeOne  string // ?1 id, ?2 now
	appendState           string // ?1 id
	deleteItems           string // ?1 id
	deleteSession         string // ?1 id
	upsert                string // ?1 id, ?2 expires_at, ?3 updated_at
	insertFull            string // insertChunk items: ?1 id, ?2 first pos, ?3... data
	refresh               string // ?1 id, ?2 now, ?3 expires_at
	pop                   string // ?1 id, ?2 now
	touch                 string // ?1 id, ?2 updated_at
	listFirst, listAfter  string // ?1 now, ?2 limit; listAfter: ?3 cursor
	purgeAllItems         string // ?1 now
	purgeAll              string // ?1 now
	ttl                   string // ?1 id, ?2 now
	setTTL                string // ?1 id, ?2 now, ?3 expires_at (NULL: never)
}

func newQueries(prefix string) *queries {
	sessions := `"` + prefix + `sessions"`
	items := `"` + prefix + `items"`
	live := `(expires_at IS NULL OR expires_at > ?2)`
	r := strings.NewReplacer("{sessions}", sessions, "{items}", items, "{live}", live,
		"{expiresIndex}", `"`+prefix+`sessions_expires_at"`)
	q := &queries{
		prefix: prefix,
		schema: r.Replace(`CREATE TABLE IF NOT EXISTS {sessions} (
	id         BLOB PRIMARY KEY NOT NULL,
	expires_at INTEGER,
	updated_at INTEGER NOT NULL
) WITHOUT ROWID;
CREATE INDEX IF NOT EXISTS {expiresIndex} ON {sessions} (expires_at) WHERE expires_at IS NOT NULL;
CREATE TABLE IF NOT EXISTS {items} (
	session_id BLOB NOT NULL REFERENCES {sessions} (id) ON DELETE CASCADE,
	pos        INTEGER NOT NULL,
	data       TEXT NOT NULL,
	PRIMARY KEY (session_id, pos)
);`),
		itemsAll: r.Replace(`SELECT data FROM {items} WHERE session_id = ?1
	AND EXISTS (SELECT 1 FROM {sessions} WHERE id = ?1 AND {live}) ORDER BY pos`),
		itemsNewest: r.Replace(`SELECT data FROM {items} WHERE session_id = ?1
	AND EXISTS (SELECT 1 FROM {sessions} WHERE id = ?1 AND {live}) ORDER BY pos DESC LIMIT ?3`),
		expired:    r.Replace(`SELECT EXISTS (SELECT 1 FROM {sessions} WHERE id = ?1 AND expires_at <= ?2)`),
		purgeItems: r.Replace(`DELETE FROM {items} WHERE session_id = ?1 AND EXISTS (SELECT 1 FROM {sessions} WHERE id = ?1 AND expires_at <= ?2)`),
		purgeOne:   r.Replace(`DELETE FROM {sessions} WHERE id = ?1 AND expires_at <= ?2`),
		appendState: r.Replace(`SELECT (SELECT expires_at FROM {sessions} WHERE id = ?1),
	EXISTS (SELECT 1 FROM {sessions} WHERE id = ?1),
	(SELECT max(pos) FROM {items} WHERE session_id = ?1)`),
		deleteItems:   r.Replace(`DELETE FROM {items} WHERE session_id = ?1`),
		deleteSession: r.Replace(`DELETE FROM {sessions} WHERE id = ?1`),
		upsert: r.Replace(`INSERT INTO {sessions} (id, expires_at, updated_at) VALUES (?1, ?2, ?3)
	ON CONFLICT (id) DO UPDATE SET expires_at = excluded.expires_at, updated_at = excluded.updated_at`),
		refresh: r.Replace(`UPDATE {sessions} SET expires_at = ?3 WHERE id = ?1 AND {live}`),
		pop: r.Replace(`DELETE FROM {items} WHERE rowid = (SELECT rowid FROM {items} WHERE session_id = ?1
	AND EXISTS (SELECT 1 FROM {sessions} WHERE id = ?1 AND {live}) ORDER BY pos DESC LIMIT 1) RETURNING data`),
		touch: r.Replace(`UPDATE {sessions} SET updated_at = ?2 WHERE id = ?1 AND EXISTS (SELECT 1 FROM {items} WHERE session_id = ?1)`),
		listFirst: r.Replace(`SELECT s.id, s.expires_at, s.updated_at, (SELECT count(*) FROM {items} WHERE session_id = s.id)
	FROM {sessions} s WHERE (s.expires_at IS NULL OR s.expires_at > ?1)
	AND EXISTS (SELECT 1 FROM {items} WHERE session_id = s.id) ORDER BY s.id LIMIT ?2`),
		listAfter: r.Replace(`SELECT s.id, s.expires_at, s.updated_at, (SELECT count(*) FROM {items} WHERE session_id = s.id)
	FROM {sessions} s WHERE s.id > ?3 AND (s.expires_at IS NULL OR s.expires_at > ?1)
	AND EXISTS (SELECT 1 FROM {items} WHERE session_id = s.id) ORDER BY s.id LIMIT ?2`),
		purgeAllItems: r.Replace(`DELETE FROM {items} WHERE session_id IN (SELECT id FROM {sessions} WHERE expires_at <= ?1)`),
		purgeAll:      r.Replace(`DELETE FROM {sessions} WHERE expires_at <= ?1`),
		ttl: r.Replace(`SELECT expires_at FROM {sessions} WHERE id = ?1 AND {live}
	AND EXISTS (SELECT 1 FROM {items} WHERE session_id = ?1)`),
		setTTL: r.Replace(`UPDATE {sessions} SET expires_at = ?3 WHERE id = ?1 AND {live}
	AND EXISTS (SELECT 1 FROM {items} WHERE session_id = ?1)`),
	}
	q.insertFull = insertSQL(items, insertChunk)
	return q
}

// insertSQL returns an INSERT of n items of one session at positions ?2,
// ?2+1, ...: (?1, ?2, ?3), (?1, ?2 + 1, ?4), ...
func insertSQL(items string, n int) string {
	var sb strings.Builder
	sb.WriteString("INSERT INTO " + items + " (session_id, pos, data) VALUES ")
	for i := range n {
		if i > 0 {
			sb.WriteString(", ")
		}
		sb.WriteString("(?1, ?2 + " + strconv.Itoa(i) + ", ?" + strconv.Itoa(i+3) + ")")
	}
	return sb.String()
}
