package sqlitesession

import (
	"context"
	"database/sql"
	"time"

	"github.com/agentsession/agentsession"
)

// List implements agentsession.Lister with one SELECT, in order of session ID
// (bytewise, as Go compares strings); the cursor is the last ID of the
// previous page. Expired sessions and sessions without items are not listed,
// and a session is never listed twice. Items is a COUNT over the session's
// rows in the (session_id, pos) index, TTL the time left until expires_at,
// and UpdatedAt the time of its last Append or Pop, to the millisecond.
func (b *Backend) List(ctx context.Context, cursor string, limit int) ([]agentsession.SessionInfo, string, error) {
	now := b.now()
	nowMs := millis(now)
	var (
		rows *sql.Rows
		err  error
	)
	// One row more than the page tells whether there is a next page.
	if cursor == "" {
		rows, err = b.db.QueryContext(ctx, b.q.listFirst, nowMs, limit+1)
	} else {
		rows, err = b.db.QueryContext(ctx, b.q.listAfter, nowMs, limit+1, []byte(cursor))
	}
	if err != nil {
		return nil, "", err
	}
	defer rows.Close()
	var page []agentsession.SessionInfo
	for rows.Next() {
		var (
			id      []byte
			expires sql.NullInt64
			updated int64
			n       int
		)
		if err := rows.Scan(&id, &expires, &updated, &n); err != nil {
			return nil, "", err
		}
		info := agentsession.SessionInfo{ID: string(id), Items: n, UpdatedAt: time.UnixMilli(updated)}
		if expires.Valid {
			info.TTL = time.Duration(expires.Int64-nowMs) * time.Millisecond
		}
		page = append(page, info)
	}
	if err := rows.Err(); err != nil {
		return nil, "", err
	}
	next := ""
	if len(page) > limit {
		page = page[:limit]
		next = page[limit-1].ID
	}
	return page, next, nil
}

// Purge deletes every expired session, its items and its sessions row, in
// one write transaction, and returns how many sessions it deleted. Expired
// sessions already read as empty and are deleted when next written; Purge
// reclaims the space of those never touched again. Call it now and then (say
// hourly, from one process): nothing in the Backend calls it.
func (b *Backend) Purge(ctx context.Context) (int, error) {
	now := millis(b.now())
	var n int64
	err := b.write(ctx, func(c *sql.Conn) error {
		if _, err := c.ExecContext(ctx, b.q.purgeAllItems, now); err != nil {
			return err
		}
		res, err := c.ExecContext(ctx, b.q.purgeAll, now)
		if err != nil {
			return err
		}
		n, err = res.RowsAffected()
		return err
	})
	if err != nil {
		return 0, err
	}
	return int(n), nil
}
