package pgsession

import (
	"context"
	"encoding/hex"
	"errors"
	"fmt"
	"time"

	"github.com/agentsession/agentsession"
	"github.com/jackc/pgx/v5"
)

// ErrInvalidCursor is returned by List for a cursor it did not make.
var ErrInvalidCursor = errors.New("pgsession: invalid list cursor")

// purgeChunk is how many sessions one transaction of Purge removes.
const purgeChunk = 1000

// List implements agentsession.Lister with one SELECT through the sessions
// table's primary key, in order of session ID (byte by byte). The cursor is
// the hexadecimal bytes of the last ID of the previous page. Each session's
// item count is kept in its row, so a page costs the same whatever the
// sessions hold. Expired sessions that Purge has not removed yet are skipped.
func (b *Backend) List(ctx context.Context, cursor string, limit int) ([]agentsession.SessionInfo, string, error) {
	after, err := hex.DecodeString(cursor)
	if err != nil {
		return nil, "", fmt.Errorf("%w %q: %w", ErrInvalidCursor, cursor, err)
	}
	if after == nil {
		after = []byte{} // '' sorts before every ID
	}
	rows, err := b.pool.Query(ctx, b.sql.list, after, int64(limit)+1)
	if err != nil {
		return nil, "", b.check(err)
	}
	defer rows.Close()
	var page []agentsession.SessionInfo
	for rows.Next() {
		var (
			id             []byte
			n              int64
			expires        *time.Time
			updated, dbNow time.Time
		)
		if err := rows.Scan(&id, &n, &expires, &updated, &dbNow); err != nil {
			return nil, "", err
		}
		info := agentsession.SessionInfo{ID: string(id), Items: int(n), UpdatedAt: updated}
		if expires != nil {
			// Positive: an expired session is not listed.
			info.TTL = expires.Sub(dbNow)
		}
		page = append(page, info)
	}
	if err := rows.Err(); err != nil {
		return nil, "", b.check(err)
	}
	next := ""
	if len(page) > limit {
		page = page[:limit]
		next = hex.EncodeToString([]byte(page[limit-1].ID))
	}
	return page, next, nil
}

// Purge deletes every expired session, with its items, and returns how many
// it deleted. Expired sessions already read as empty and are not listed; Purge
// reclaims their space. It works through them a thousand at a time, each
// batch its own transaction, and skips sessions that other transactions hold
// at that moment. Run it now and then, for example from a cron job; nothing
// runs it for you.
func (b *Backend) Purge(ctx context.Context) (int, error) {
	total := 0
	for {
		var n int
		err := pgx.BeginFunc(ctx, b.pool, func(tx pgx.Tx) error {
			rows, err := tx.Query(ctx, b.sql.purge, purgeChunk)
			if err != nil {
				return err
			}
			ids, err := pgx.CollectRows(rows, pgx.RowTo[[]byte])
			if err != nil || len(ids) == 0 {
				return err
			}
			n = len(ids)
			_, err = tx.Exec(ctx, b.sql.purgeItems, ids)
			return err
		})
		if err != nil {
			return total, b.check(err)
		}
		total += n
		if n < purgeChunk {
			return total, nil
		}
	}
}
