package redissession

import (
	"context"
	"time"

	"github.com/agentsession/agentsession"
)

var _ agentsession.Expirer = (*Backend)(nil)

// TTL implements agentsession.Expirer with PTTL.
func (b *Backend) TTL(ctx context.Context, id string) (time.Duration, bool, error) {
	key := b.Key(id)
	type res struct {
		ttl    time.Duration
		exists bool
	}
	r, err := await(ctx, b.watch, func() (res, error) {
		d, err := b.cmd.PTTL(ctx, key).Result()
		switch {
		case err != nil:
			return res{}, b.check(key, err)
		case d == -2: // no key
			return res{}, nil
		case d == -1: // no expiry
			return res{0, true}, nil
		}
		return res{d, true}, nil
	})
	return r.ttl, r.exists, err
}

// SetTTL implements agentsession.Expirer: PEXPIRE, or PERSIST for no expiry,
// in one script that first checks the key is a list.
func (b *Backend) SetTTL(ctx context.Context, id string, ttl time.Duration) (bool, error) {
	key := b.Key(id)
	return await(ctx, b.watch, func() (bool, error) {
		n, err := setTTLScript.Run(ctx, b.cmd, []string{key}, millis(ttl)).Int()
		if err != nil {
			return false, b.check(key, err)
		}
		return n == 1, nil
	})
}
