package sqlitesession

import (
	"context"
	"database/sql"
	"errors"
	"time"

	"github.com/agentsession/agentsession"
)

var _ agentsession.Expirer = (*Backend)(nil)

// TTL implements agentsession.Expirer with one SELECT of the expires_at of
// the session, if it is live and has items. The time left is counted in whole
// milliseconds from the backend's clock; it is 0 when the session never
// expires.
func (b *Backend) TTL(ctx context.Context, id string) (time.Duration, bool, error) {
	key, now := []byte(id), millis(b.now())
	var expires sql.NullInt64
	err := b.db.QueryRowContext(ctx, b.q.ttl, key, now).Scan(&expires)
	if errors.Is(err, sql.ErrNoRows) {
		return 0, false, nil
	}
	if err != nil {
		return 0, false, err
	}
	if !expires.Valid {
		return 0, true, nil
	}
	return time.Duration(expires.Int64-now) * time.Millisecond, true, nil
}

// SetTTL implements agentsession.Expirer with one UPDATE in a write
// transaction: it sets expires_at to now plus ttl, rounded up to the
// millisecond, or to NULL (never) when ttl is 0, if the session is live and
// has items. It reports whether a row was updated; an absent, empty or
// expired session is left as it is.
func (b *Backend) SetTTL(ctx context.Context, id string, ttl time.Duration) (bool, error) {
	key, now := []byte(id), millis(b.now())
	var expires sql.NullInt64
	if ttl > 0 {
		expires = sql.NullInt64{Int64: expiry(now, ttl), Valid: true}
	}
	var exists bool
	err := b.write(ctx, func(c *sql.Conn) error {
		res, err := c.ExecContext(ctx, b.q.setTTL, key, now, expires)
		if err != nil {
			return err
		}
		n, err := res.RowsAffected()
		exists = n > 0
		return err
	})
	if err != nil {
		return false, err
	}
	return exists, nil
}
