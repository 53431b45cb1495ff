package pgsession

import (
	"context"
	"errors"
	"time"

	"github.com/agentsession/agentsession"
	"github.com/jackc/pgx/v5"
	"github.com/jackc/pgx/v5/pgtype"
)

var _ agentsession.Expirer = (*Backend)(nil)

// ttlSQL reads the time left of a live session that has items: NULL when it
// never expires, no row when it does not exist.
const ttlSQL = `SELECT expires_at - now() FROM {p}sessions
WHERE id = $1 AND item_count > 0 AND ` + live

// setTTLSQL sets the expiry of a live session that has items: $2 microseconds
// from now, or never when $2 is NULL.
const setTTLSQL = `UPDATE {p}sessions SET expires_at = now() + $2::bigint * interval '1 microsecond'
WHERE id = $1 AND item_count > 0 AND ` + live

// TTL implements agentsession.Expirer with one SELECT of expires_at - now()
// for the session's row, if it is live and has items; the time left is 0
// when the session never expires. Both ends of the difference are read on
// the server's clock.
func (b *Backend) TTL(ctx context.Context, id string) (time.Duration, bool, error) {
	var left pgtype.Interval
	err := b.pool.QueryRow(ctx, b.sql.expand(ttlSQL), []byte(id)).Scan(&left)
	if errors.Is(err, pgx.ErrNoRows) {
		return 0, false, nil
	}
	if err != nil {
		return 0, false, b.check(err)
	}
	if !left.Valid {
		return 0, true, nil
	}
	// The difference of two timestamptz values has no months; a day is 24h.
	us := left.Microseconds + int64(left.Days)*24*int64(time.Hour/time.Microsecond) +
		int64(left.Months)*30*24*int64(time.Hour/time.Microsecond)
	return time.Duration(us) * time.Microsecond, true, nil
}

// SetTTL implements agentsession.Expirer with one UPDATE of the session's
// row, if it is live and has items: expires_at becomes now() plus ttl,
// rounded up to the microsecond, or NULL (never) when ttl is 0. It reports
// whether a row was updated; an absent, empty or expired session is left as
// it is.
func (b *Backend) SetTTL(ctx context.Context, id string, ttl time.Duration) (bool, error) {
	tag, err := b.pool.Exec(ctx, b.sql.expand(setTTLSQL), []byte(id), expiryArg(ttl))
	if err != nil {
		return false, b.check(err)
	}
	return tag.RowsAffected() > 0, nil
}
