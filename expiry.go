package agentsession

import (
	"context"
	"fmt"
	"time"
)

// TTL returns the time left before the session expires (0 when it never
// does) and whether it exists (has items). It fails with an error wrapping
// errors.ErrUnsupported when the backend is not an Expirer.
func (s *Session) TTL(ctx context.Context) (time.Duration, bool, error) {
	if err := s.start(ctx); err != nil {
		return 0, false, s.wrap("read the TTL of", err)
	}
	e, ok := s.backend.(Expirer)
	if !ok {
		return 0, false, s.wrap("read the TTL of", fmt.Errorf("backend %T: %w", s.backend, errUnsupported))
	}
	ttl, exists, err := e.TTL(ctx, s.id)
	return ttl, exists, s.wrap("read the TTL of", err)
}

// SetTTL makes the session expire ttl from now, or never when ttl is 0, and
// reports whether the session exists; an empty session is left as it is. A
// negative ttl fails with ErrInvalidTTL. Like TTL, it needs an Expirer.
func (s *Session) SetTTL(ctx context.Context, ttl time.Duration) (bool, error) {
	if err := s.start(ctx); err != nil {
		return false, s.wrap("set the TTL of", err)
	}
	if ttl < 0 {
		return false, s.wrap("set the TTL of", fmt.Errorf("%w: %v is negative (use 0 for no expiry)", ErrInvalidTTL, ttl))
	}
	e, ok := s.backend.(Expirer)
	if !ok {
		return false, s.wrap("set the TTL of", fmt.Errorf("backend %T: %w", s.backend, errUnsupported))
	}
	exists, err := e.SetTTL(ctx, s.id, ttl)
	return exists, s.wrap("set the TTL of", err)
}
