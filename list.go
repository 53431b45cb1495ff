package agentsession

import (
	"context"
	"fmt"
	"time"
)

// SessionInfo describes one stored session, as listed by List.
type SessionInfo struct {
	ID        string
	Items     int           // stored elements, damaged ones included
	TTL       time.Duration // time left before it expires; 0: it never expires
	UpdatedAt time.Time     // its last write; zero where the backend does not record it (Redis)
}

// Lister is an optional capability of a Backend: list its sessions.
//
// List returns up to limit sessions (limit > 0) from where cursor points ("" for
// the start) and the cursor of the next page, "" after the last. Pages come in
// a stable order, every session with items is listed, and sessions that are
// empty or expired are not. A backend that cannot avoid listing a session twice
// across pages (Redis SCAN, while keys are added) must say so in its docs.
type Lister interface {
	List(ctx context.Context, cursor string, limit int) (page []SessionInfo, next string, err error)
}

// DefaultListLimit is the page size List uses for a limit <= 0.
const DefaultListLimit = 100

// List lists the sessions in b, a page at a time: see Lister. It fails with an
// error wrapping errors.ErrUnsupported when b cannot list.
func List(ctx context.Context, b Backend, cursor string, limit int) ([]SessionInfo, string, error) {
	if b == nil {
		return nil, "", ErrNilBackend
	}
	if ctx == nil {
		return nil, "", ErrNilContext
	}
	l, ok := b.(Lister)
	if !ok {
		return nil, "", fmt.Errorf("agentsession: list sessions: backend %T: %w", b, errUnsupported)
	}
	if limit <= 0 {
		limit = DefaultListLimit
	}
	if err := ctx.Err(); err != nil {
		return nil, "", fmt.Errorf("agentsession: list sessions: %w", err)
	}
	page, next, err := l.List(ctx, cursor, limit)
	if err != nil {
		return nil, "", fmt.Errorf("agentsession: list sessions: %w", err)
	}
	return page, next, nil
}
