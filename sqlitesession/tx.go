package sqlitesession

import (
	"context"
	"database/sql"
	"database/sql/driver"
	"time"
)

// write runs f in one write transaction on one connection: BEGIN IMMEDIATE,
// f, COMMIT. BEGIN IMMEDIATE takes SQLite's write lock at the start, waiting
// under busy_timeout for it; a deferred BEGIN would take it at the first
// write, and a transaction that read first could then fail at once with
// SQLITE_BUSY rather than wait. The statements are explicit, not
// sql.DB.BeginTx, so that this holds whatever DSN the caller of New used.
//
// When f fails, or ctx ends, the transaction is rolled back and nothing of it
// is kept. Once f has succeeded the COMMIT runs even if ctx has ended since:
// a nil error means that all of it was committed, an error that none was.
func (b *Backend) write(ctx context.Context, f func(c *sql.Conn) error) error {
	select {
	case b.writing <- struct{}{}:
	case <-ctx.Done():
		return ctx.Err()
	}
	defer func() { <-b.writing }()
	c, err := b.db.Conn(ctx)
	if err != nil {
		return err
	}
	defer c.Close()
	if _, err := c.ExecContext(ctx, "BEGIN IMMEDIATE"); err != nil {
		rollback(c)
		return err
	}
	if err := f(c); err != nil {
		rollback(c)
		return err
	}
	if _, err := c.ExecContext(context.WithoutCancel(ctx), "COMMIT"); err != nil {
		rollback(c)
		return err
	}
	return nil
}

// rollback ends the transaction on c, if one is open. When the ROLLBACK fails
// (SQLite may have rolled back already, or the connection is broken) the
// connection is dropped from the pool, so that none is ever reused in the
// middle of a transaction.
func rollback(c *sql.Conn) {
	if _, err := c.ExecContext(context.Background(), "ROLLBACK"); err != nil {
		_ = c.Raw(func(any) error { return driver.ErrBadConn })
	}
}

// millis returns t as Unix milliseconds, the unit of expires_at and
// updated_at.
func millis(t time.Time) int64 { return t.UnixMilli() }

// expiry returns the expires_at of a session given a TTL at now: ttl in
// milliseconds, rounded up, so that a TTL never ends early.
func expiry(now int64, ttl time.Duration) int64 {
	return now + int64((ttl+time.Millisecond-1)/time.Millisecond)
}
