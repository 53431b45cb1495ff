package redissession

import (
	"context"
	"errors"
	"fmt"
	"reflect"
	"strings"
	"time"

	"github.com/agentsession/agentsession"
	"github.com/redis/go-redis/v9"
)

// DefaultKeyPrefix is the key prefix of the reference Python package.
const DefaultKeyPrefix = "openai_agents_session"

// ErrNilClient is returned by New for a nil client.
var ErrNilClient = errors.New("redissession: nil client")

// Options configures a Backend. A nil *Options means all defaults.
type Options struct {
	// KeyPrefix comes before ":" and the session ID in every key. Default
	// (when empty): DefaultKeyPrefix, "openai_agents_session". Give each
	// application its own prefix, as keys "{KeyPrefix}:{id}" of two prefixes can
	// meet ("a:b" + "c" and "a" + "b:c").
	KeyPrefix string
}

// Backend stores sessions in Redis. It implements agentsession.Backend and
// agentsession.Refresher; applications use it through agentsession.New.
// It is safe for concurrent use.
type Backend struct {
	client redis.UniversalClient
	prefix string
	owned  redis.UniversalClient // the client Close closes: one made from a URL
}

var (
	_ agentsession.Backend   = (*Backend)(nil)
	_ agentsession.Refresher = (*Backend)(nil)
	_ agentsession.Lister    = (*Backend)(nil)
)

// New returns a Backend that stores sessions through client, which may be a
// single node, Sentinel or Cluster client. New does no I/O, and the Backend
// never closes client.
func New(client redis.UniversalClient, opts *Options) (*Backend, error) {
	if isNil(client) {
		return nil, ErrNilClient
	}
	var o Options
	if opts != nil {
		o = *opts
	}
	if o.KeyPrefix == "" {
		o.KeyPrefix = DefaultKeyPrefix
	}
	return &Backend{client: client, prefix: o.KeyPrefix}, nil
}

// isNil also catches a typed nil, such as a (*redis.Client)(nil), whose
// methods would panic.
func isNil(c redis.UniversalClient) bool {
	if c == nil {
		return true
	}
	v := reflect.ValueOf(c)
	return v.Kind() == reflect.Pointer && v.IsNil()
}

// Key returns the Redis key of session id: "{KeyPrefix}:{id}".
func (b *Backend) Key(id string) string { return b.prefix + ":" + id }

// KeyPrefix returns the prefix of the backend's keys.
func (b *Backend) KeyPrefix() string { return b.prefix }

// Items implements agentsession.Backend with LRANGE.
func (b *Backend) Items(ctx context.Context, id string, limit int) ([][]byte, error) {
	key := b.Key(id)
	return await(ctx, func() ([][]byte, error) {
		vals, err := b.client.LRange(ctx, key, start(limit), -1).Result()
		return toBytes(vals), b.check(key, err)
	})
}

// ItemsRefresh implements agentsession.Refresher: LRANGE, and PEXPIRE when the
// session exists, in one script.
func (b *Backend) ItemsRefresh(ctx context.Context, id string, limit int, ttl time.Duration) ([][]byte, error) {
	key := b.Key(id)
	return await(ctx, func() ([][]byte, error) {
		vals, err := readRefreshScript.Run(ctx, b.client, []string{key}, start(limit), millis(ttl)).StringSlice()
		return toBytes(vals), b.check(key, err)
	})
}

// Append implements agentsession.Backend: RPUSH alone without a TTL, else a
// script that does RPUSH and PEXPIRE atomically.
func (b *Backend) Append(ctx context.Context, id string, items [][]byte, ttl time.Duration) error {
	key := b.Key(id)
	args := make([]any, 0, len(items)+1)
	if ttl > 0 {
		args = append(args, millis(ttl))
	}
	for _, it := range items {
		args = append(args, it)
	}
	_, err := await(ctx, func() (struct{}, error) {
		var err error
		if ttl > 0 {
			err = appendScript.Run(ctx, b.client, []string{key}, args...).Err()
		} else {
			err = b.client.RPush(ctx, key, args...).Err()
		}
		return struct{}{}, b.check(key, err)
	})
	return err
}

// Pop implements agentsession.Backend with RPOP.
func (b *Backend) Pop(ctx context.Context, id string) ([]byte, error) {
	key := b.Key(id)
	return await(ctx, func() ([]byte, error) {
		v, err := b.client.RPop(ctx, key).Bytes()
		if errors.Is(err, redis.Nil) {
			return nil, nil
		}
		return v, b.check(key, err)
	})
}

// Clear implements agentsession.Backend with UNLINK.
func (b *Backend) Clear(ctx context.Context, id string) error {
	key := b.Key(id)
	_, err := await(ctx, func() (struct{}, error) {
		return struct{}{}, b.check(key, b.client.Unlink(ctx, key).Err())
	})
	return err
}

// check marks a WRONGTYPE reply with agentsession.ErrWrongType, keeping the
// redis.Error in the chain; other errors pass unchanged.
func (b *Backend) check(key string, err error) error {
	if err == nil || errors.Is(err, redis.Nil) {
		return nil
	}
	if strings.HasPrefix(err.Error(), "WRONGTYPE") {
		return fmt.Errorf("redissession: key %q is not a list: %w (%w)", key, agentsession.ErrWrongType, err)
	}
	return err
}

// start is the LRANGE start index for limit: 0 for all, else -limit.
func start(limit int) int64 {
	if limit <= 0 {
		return 0
	}
	return -int64(limit)
}

// millis is ttl in whole milliseconds, rounded up so a TTL never shortens.
func millis(ttl time.Duration) int64 {
	return int64((ttl + time.Millisecond - 1) / time.Millisecond)
}

// toBytes copies go-redis's strings into one buffer, with one allocation for
// all of them rather than one each. Each slice is capped at its own length, so
// appending to one never overwrites the next.
func toBytes(vals []string) [][]byte {
	if len(vals) == 0 {
		return nil
	}
	n := 0
	for _, v := range vals {
		n += len(v)
	}
	buf := make([]byte, 0, n)
	out := make([][]byte, len(vals))
	for i, v := range vals {
		start := len(buf)
		buf = append(buf, v...)
		out[i] = buf[start:len(buf):len(buf)]
	}
	return out
}
