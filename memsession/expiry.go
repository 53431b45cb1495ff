package memsession

import (
	"context"
	"time"

	"github.com/agentsession/agentsession"
)

var _ agentsession.Expirer = (*Backend)(nil)

// TTL implements agentsession.Expirer.
func (b *Backend) TTL(ctx context.Context, id string) (time.Duration, bool, error) {
	if err := ctx.Err(); err != nil {
		return 0, false, err
	}
	b.mu.Lock()
	defer b.mu.Unlock()
	now := b.now()
	s := b.live(id, now)
	switch {
	case s == nil:
		return 0, false, nil
	case s.expires.IsZero():
		return 0, true, nil
	}
	return s.expires.Sub(now), true, nil
}

// SetTTL implements agentsession.Expirer.
func (b *Backend) SetTTL(ctx context.Context, id string, ttl time.Duration) (bool, error) {
	if err := ctx.Err(); err != nil {
		return false, err
	}
	b.mu.Lock()
	defer b.mu.Unlock()
	now := b.now()
	s := b.live(id, now)
	if s == nil {
		return false, nil
	}
	s.expires = time.Time{}
	if ttl > 0 {
		s.expires = now.Add(ttl)
	}
	return true, nil
}
