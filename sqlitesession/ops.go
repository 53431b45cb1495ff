package sqlitesession

import (
	"context"
	"database/sql"
	"errors"
	"slices"
	"time"
)

// querier is a *sql.DB or a *sql.Conn in a transaction.
type querier interface {
	ExecContext(ctx context.Context, query string, args ...any) (sql.Result, error)
	QueryContext(ctx context.Context, query string, args ...any) (*sql.Rows, error)
	QueryRowContext(ctx context.Context, query string, args ...any) *sql.Row
}

// Items implements agentsession.Backend with one SELECT, which reads the
// session's expiry and its items in one snapshot: all items in order of
// position, or the limit newest through the (session_id, pos) index, newest
// first and then reversed. When it finds nothing and the session has
// expired, the session's rows are deleted.
func (b *Backend) Items(ctx context.Context, id string, limit int) ([][]byte, error) {
	key, now := []byte(id), millis(b.now())
	items, err := b.read(ctx, b.db, key, now, limit)
	if err != nil || len(items) > 0 {
		return items, err
	}
	// Nothing to read: drop the session if it is an expired one. The answer,
	// no items, is right whether or not that succeeds, so a failure (say, the
	// write lock was busy too long) is left for the next write or Purge.
	var expired bool
	if err := b.db.QueryRowContext(ctx, b.q.expired, key, now).Scan(&expired); err == nil && expired {
		_ = b.write(ctx, func(c *sql.Conn) error { return b.purgeSession(ctx, c, key, now) })
	}
	return nil, nil
}

// ItemsRefresh implements agentsession.Refresher: in one write transaction,
// it sets the expiry of the session if it is live, then reads as Items does.
func (b *Backend) ItemsRefresh(ctx context.Context, id string, limit int, ttl time.Duration) ([][]byte, error) {
	key, now := []byte(id), millis(b.now())
	var items [][]byte
	err := b.write(ctx, func(c *sql.Conn) error {
		res, err := c.ExecContext(ctx, b.q.refresh, key, now, expiry(now, ttl))
		if err != nil {
			return err
		}
		if n, err := res.RowsAffected(); err != nil || n == 0 {
			if err != nil {
				return err
			}
			return b.purgeSession(ctx, c, key, now)
		}
		items, err = b.read(ctx, c, key, now, limit)
		return err
	})
	if err != nil {
		return nil, err
	}
	return items, nil
}

// read returns the items of live session key, all of them or the limit newest.
func (b *Backend) read(ctx context.Context, q querier, key []byte, now int64, limit int) ([][]byte, error) {
	var (
		rows *sql.Rows
		err  error
	)
	if limit > 0 {
		rows, err = q.QueryContext(ctx, b.q.itemsNewest, key, now, limit)
	} else {
		rows, err = q.QueryContext(ctx, b.q.itemsAll, key, now)
	}
	if err != nil {
		return nil, err
	}
	defer rows.Close()
	var items [][]byte
	for rows.Next() {
		var data []byte
		if err := rows.Scan(&data); err != nil {
			return nil, err
		}
		items = append(items, data)
	}
	if err := rows.Err(); err != nil {
		return nil, err
	}
	if limit > 0 {
		slices.Reverse(items)
	}
	return items, nil
}

// Append implements agentsession.Backend in one write transaction: it reads
// the session's expiry and newest position, deletes the rows of an expired
// session, upserts the sessions row (the new expiry when ttl > 0, else the
// old one) and inserts the items at the next positions, 500 to an INSERT.
func (b *Backend) Append(ctx context.Context, id string, items [][]byte, ttl time.Duration) error {
	key, now := []byte(id), millis(b.now())
	return b.write(ctx, func(c *sql.Conn) error {
		var (
			expires sql.NullInt64
			exists  bool
			last    sql.NullInt64
		)
		if err := c.QueryRowContext(ctx, b.q.appendState, key).Scan(&expires, &exists, &last); err != nil {
			return err
		}
		next := last.Int64 + 1
		if !last.Valid {
			next = 0
		}
		if expires.Valid && expires.Int64 <= now { // expired: start afresh
			if _, err := c.ExecContext(ctx, b.q.deleteItems, key); err != nil {
				return err
			}
			exists, next = false, 0
		}
		var newExpiry any // NULL: never
		switch {
		case ttl > 0:
			newExpiry = expiry(now, ttl)
		case exists && expires.Valid:
			newExpiry = expires.Int64
		}
		if _, err := c.ExecContext(ctx, b.q.upsert, key, newExpiry, now); err != nil {
			return err
		}
		for len(items) > 0 {
			n := min(len(items), insertChunk)
			query := b.q.insertFull
			if n < insertChunk {
				query = insertSQL(`"`+b.q.prefix+`items"`, n)
			}
			args := make([]any, 0, n+2)
			args = append(args, key, next)
			for _, it := range items[:n] {
				args = append(args, string(it))
			}
			if _, err := c.ExecContext(ctx, query, args...); err != nil {
				return err
			}
			items, next = items[n:], next+int64(n)
		}
		return nil
	})
}

// Pop implements agentsession.Backend in one write transaction: a DELETE ...
// RETURNING of the newest item of the live session, then an update of its
// updated_at, or the removal of its sessions row when no item is left.
func (b *Backend) Pop(ctx context.Context, id string) ([]byte, error) {
	key, now := []byte(id), millis(b.now())
	var item []byte
	err := b.write(ctx, func(c *sql.Conn) error {
		if err := c.QueryRowContext(ctx, b.q.pop, key, now).Scan(&item); errors.Is(err, sql.ErrNoRows) {
			return b.purgeSession(ctx, c, key, now)
		} else if err != nil {
			return err
		}
		res, err := c.ExecContext(ctx, b.q.touch, key, now)
		if err != nil {
			return err
		}
		if n, err := res.RowsAffected(); err != nil || n > 0 {
			return err
		}
		_, err = c.ExecContext(ctx, b.q.deleteSession, key)
		return err
	})
	if err != nil {
		return nil, err
	}
	return item, nil
}

// Clear implements agentsession.Backend: it deletes the session's items and
// its sessions row in one transaction.
func (b *Backend) Clear(ctx context.Context, id string) error {
	key := []byte(id)
	return b.write(ctx, func(c *sql.Conn) error {
		if _, err := c.ExecContext(ctx, b.q.deleteItems, key); err != nil {
			return err
		}
		_, err := c.ExecContext(ctx, b.q.deleteSession, key)
		return err
	})
}

// purgeSession deletes the rows of session key if it expired by now.
func (b *Backend) purgeSession(ctx context.Context, c *sql.Conn, key []byte, now int64) error {
	if _, err := c.ExecContext(ctx, b.q.purgeItems, key, now); err != nil {
		return err
	}
	_, err := c.ExecContext(ctx, b.q.purgeOne, key, now)
	return err
}
