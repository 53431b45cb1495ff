package redissession

import (
	"context"
	"crypto/rand"
	"encoding/hex"
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

	// MaxItems keeps at most this many items in each session: an add trims the
	// oldest in the same atomic step. A batch larger than MaxItems fails with
	// an *agentsession.LimitError and writes nothing. Default 0: no limit.
	MaxItems int

	// Idempotency is how long each add's token is kept, so that a command the
	// client sends again after a network error (go-redis retries up to
	// MaxRetries times) adds its batch once, not twice. Default 0: one minute,
	// longer than go-redis's retries take. Negative turns the tokens off: an
	// add without a TTL or MaxItems is then a plain RPUSH, a little faster,
	// and a retried one may land twice. See docs/decisions/0009-exactly-once.md.
	Idempotency time.Duration

	// WaitReplicas makes every add wait, on the same connection, until this
	// many replicas have its write (the WAIT command), so that an add that
	// returns nil survives a failover to one of them: Redis replicates
	// asynchronously, and a master that is being replaced acknowledges writes
	// its successor never receives. An add whose write reached fewer replicas
	// within WaitTimeout fails with ErrNotReplicated: it is stored on the
	// master and may or may not survive a failover. Default 0: no waiting.
	// Not for Cluster clients (WAIT names no key, so a Cluster pipeline cannot
	// send it to the write's node): New refuses the combination.
	WaitReplicas int

	// WaitTimeout bounds the wait of WaitReplicas. Default (0): one second.
	WaitTimeout time.Duration

	// WatchContext makes every call return as soon as its context ends, even
	// while its command waits for the server. Without it a call behaves as
	// go-redis does: a context that has ended before the command is sent
	// fails the call at once, and a command already sent waits for its reply
	// or the client's ReadTimeout (3 s by default; a client made with
	// ContextTimeoutEnabled also stops at the context's deadline). Watching
	// costs a hand-off to a worker goroutine and back on every call with a
	// context that can end: about 15 µs on a loopback connection of a 2-core
	// machine, 0.6× a raw command's ops/s there (docs/benchmarks.md), little
	// beside a real network's round trip. See docs/decisions/0005-contexts.md.
	WatchContext bool

	// AutoPipeline sends the session commands (the reads, adds, pops and
	// clears) through the client's auto-pipeliner (go-redis's
	// AutoPipelineWithOptions), which writes the commands of concurrent callers
	// down one connection together and reads their replies together. Each
	// operation is still one command or one script, so it stays atomic; what
	// changes is that many operations share a round trip. It pays with many
	// concurrent sessions on one client (measured: docs/benchmarks.md); a lone
	// caller gains nothing. go-redis marks its auto-pipeliner experimental. It
	// is kept by the client, shared by every Backend on that client, and
	// stopped when the client is closed; its batches of up to 64 commands go
	// up to 4 at a time. To configure it otherwise, call the client's
	// AutoPipelineWithOptions before New: the client keeps the first one made. Adds with WaitReplicas still go
	// through the client's pool (WAIT must follow the write on its connection).
	AutoPipeline bool
}

// DefaultIdempotency is the default of Options.Idempotency.
const DefaultIdempotency = time.Minute

// ErrNotReplicated is returned by an add (with Options.WaitReplicas) whose
// write did not reach enough replicas in time.
var ErrNotReplicated = errors.New("redissession: the add reached fewer replicas than WaitReplicas in time")

// Backend stores sessions in Redis. It implements agentsession.Backend and
// agentsession.Refresher; applications use it through agentsession.New.
// It is safe for concurrent use.
type Backend struct {
	client   redis.UniversalClient
	cmd      commander // the session commands go here: client, or its auto-pipeliner
	prefix   string
	maxItems int
	idem     time.Duration         // 0: no tokens
	idemArg  any                   // idem in milliseconds, boxed once rather than on every add
	watch    bool                  // Options.WatchContext
	replicas int                   // Options.WaitReplicas
	waitFor  time.Duration         // Options.WaitTimeout
	owned    redis.UniversalClient // the client Close closes: one made from a URL
}

// autoPipeOptions configure go-redis's auto-pipeliner for Options.AutoPipeline:
// batches of up to 64 commands, up to 4 of them on the wire at once. go-redis
// keeps batches in order only when one is in flight at a time; unordered
// batches are safe here, as each call waits for its reply before its caller
// can make another, so one caller's calls still run in order, and calls of
// different callers at the same time have no order to keep. Measured with go
// run ./bench at 256 sessions: about 1.3× the ops/s of go-redis's default
// (one batch of up to 300 in flight), docs/benchmarks.md.
var autoPipeOptions = redis.AutoPipelineOptions{MaxBatchSize: 64, MaxConcurrentBatches: 4, Unordered: true}

// commander is what the session commands need: a client or an
// auto-pipeliner.
type commander interface {
	redis.Cmdable
	redis.Scripter
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
	if o.MaxItems < 0 {
		return nil, fmt.Errorf("%w: redissession: MaxItems %d is negative (use 0 for no limit)", agentsession.ErrInvalidOptions, o.MaxItems)
	}
	switch {
	case o.Idempotency == 0:
		o.Idempotency = DefaultIdempotency
	case o.Idempotency < 0:
		o.Idempotency = 0
	}
	if o.WaitReplicas < 0 {
		return nil, fmt.Errorf("%w: redissession: WaitReplicas %d is negative", agentsession.ErrInvalidOptions, o.WaitReplicas)
	}
	if _, cluster := client.(*redis.ClusterClient); cluster && o.WaitReplicas > 0 {
		return nil, fmt.Errorf("%w: redissession: WaitReplicas needs a single-node or Sentinel client, not a Cluster client", agentsession.ErrInvalidOptions)
	}
	if o.WaitTimeout <= 0 {
		o.WaitTimeout = time.Second
	}
	var cmd commander = client
	if o.AutoPipeline {
		cfg := autoPipeOptions
		ap, err := client.AutoPipelineWithOptions(&cfg)
		if err != nil {
			return nil, fmt.Errorf("redissession: AutoPipeline: %w", err)
		}
		cmd = ap
	}
	return &Backend{client: client, cmd: cmd, prefix: o.KeyPrefix, maxItems: o.MaxItems, idem: o.Idempotency,
		idemArg: o.Idempotency.Milliseconds(), watch: o.WatchContext, replicas: o.WaitReplicas, waitFor: o.WaitTimeout}, nil
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

// The operations below call await only when they watch a context that can end
// (Options.WatchContext). Otherwise await would run its function on the
// caller's goroutine all the same, but the closure given to it would still be
// allocated (it escapes to the worker), once on every call.

// inline reports whether a call with ctx runs its command on the caller's
// goroutine: when the Backend does not watch contexts, or ctx cannot end.
func (b *Backend) inline(ctx context.Context) bool { return !b.watch || ctx.Done() == nil }

// Items implements agentsession.Backend with LRANGE.
func (b *Backend) Items(ctx context.Context, id string, limit int) ([][]byte, error) {
	key := b.Key(id)
	if b.inline(ctx) {
		return b.lrange(ctx, key, limit)
	}
	return await(ctx, true, func() ([][]byte, error) { return b.lrange(ctx, key, limit) })
}

func (b *Backend) lrange(ctx context.Context, key string, limit int) ([][]byte, error) {
	vals, err := b.cmd.LRange(ctx, key, start(limit), -1).Result()
	return toBytes(vals), b.check(key, err)
}

// ItemsRefresh implements agentsession.Refresher: LRANGE, and PEXPIRE when the
// session exists, in one script.
func (b *Backend) ItemsRefresh(ctx context.Context, id string, limit int, ttl time.Duration) ([][]byte, error) {
	key := b.Key(id)
	if b.inline(ctx) {
		return b.readRefresh(ctx, key, limit, ttl)
	}
	return await(ctx, true, func() ([][]byte, error) { return b.readRefresh(ctx, key, limit, ttl) })
}

func (b *Backend) readRefresh(ctx context.Context, key string, limit int, ttl time.Duration) ([][]byte, error) {
	vals, err := readRefreshScript.Run(ctx, b.cmd, []string{key}, start(limit), millis(ttl)).StringSlice()
	return toBytes(vals), b.check(key, err)
}

// Append implements agentsession.Backend: one script (appendScript) that
// checks the batch's token, appends, sets the TTL and trims, atomically; or a
// plain RPUSH when there is nothing but the append to do (no token, TTL or
// MaxItems).
func (b *Backend) Append(ctx context.Context, id string, items [][]byte, ttl time.Duration) error {
	key := b.Key(id)
	if b.maxItems > 0 && len(items) > b.maxItems {
		return &agentsession.LimitError{What: "items in one batch for a session of MaxItems", Max: b.maxItems, Got: len(items)}
	}
	plain := b.idem == 0 && ttl == 0 && b.maxItems == 0
	args := make([]any, 0, len(items)+3)
	keys := make([]string, 1, 2) // the list's key, and the token's
	keys[0] = key
	if !plain {
		if b.idem > 0 {
			keys = append(keys, tokenKey(key))
		}
		args = append(args, millis(ttl), b.idemArg, b.maxItems)
	}
	for i := range items {
		args = append(args, (*itemArg)(&items[i]))
	}
	if b.inline(ctx) {
		return b.push(ctx, plain, keys, args)
	}
	_, err := await(ctx, true, func() (struct{}, error) { return struct{}{}, b.push(ctx, plain, keys, args) })
	return err
}

// push sends what Append has made ready: keys[0] is the list's key.
func (b *Backend) push(ctx context.Context, plain bool, keys []string, args []any) error {
	var err error
	switch {
	case b.replicas > 0:
		err = b.appendAndWait(ctx, plain, keys, args)
	case plain:
		err = b.cmd.RPush(ctx, keys[0], args...).Err()
	default:
		err = appendScript.Run(ctx, b.cmd, keys, args...).Err()
	}
	return b.check(keys[0], err)
}

// appendAndWait sends the append and WAIT in one pipeline, so both go down
// one connection, as WAIT counts the replicas that have that connection's
// writes.
func (b *Backend) appendAndWait(ctx context.Context, plain bool, keys []string, args []any) error {
	run := func(eval bool) (int64, error) {
		var write redis.Cmder
		var wait *redis.Cmd
		_, err := b.client.Pipelined(ctx, func(p redis.Pipeliner) error {
			switch {
			case plain:
				write = p.RPush(ctx, keys[0], args...)
			case eval:
				write = appendScript.Eval(ctx, p, keys, args...)
			default:
				write = appendScript.EvalSha(ctx, p, keys, args...)
			}
			wait = p.Do(ctx, "WAIT", b.replicas, b.waitFor.Milliseconds())
			return nil
		})
		if err := write.Err(); err != nil {
			return 0, err
		}
		if err != nil {
			return 0, err
		}
		return wait.Int64()
	}
	n, err := run(false)
	if err != nil && strings.HasPrefix(err.Error(), "NOSCRIPT") {
		n, err = run(true)
	}
	if err != nil {
		return err
	}
	if n < int64(b.replicas) {
		return fmt.Errorf("%w: %d of %d after %v", ErrNotReplicated, n, b.replicas, b.waitFor)
	}
	return nil
}

// itemArg is an item as a go-redis command argument, which go-redis writes
// through MarshalBinary. A *itemArg fits in an interface as it is, where a
// []byte (three words) would cost an allocation per item of every add. It
// points into the items given to Append, which must not change until the
// command is sent; Session gives Append a slice of its own.
type itemArg []byte

// MarshalBinary implements encoding.BinaryMarshaler.
func (a *itemArg) MarshalBinary() ([]byte, error) { return *a, nil }

// String gives the item's text where go-redis formats a command (cmd.String,
// in logs and hooks), as it would for a []byte.
func (a *itemArg) String() string { return string(*a) }

// tokenInfix comes between a list's key and an add's token in the token's
// key.
const tokenInfix = ":agentsession:add:"

// tokenKey returns the key of a new token for one add to the list key:
// sameSlotKey(key, tokenInfix+token) for a random token of 128 bits in hex.
// It is made on every add, so for the two usual shapes of key it is built in
// one allocation: the token's hex stays on the stack and is copied straight
// into the key.
func tokenKey(key string) string {
	var raw [16]byte
	_, _ = rand.Read(raw[:]) // crypto/rand.Read never fails (Go 1.24+)
	var tok [32]byte
	hex.Encode(tok[:], raw[:])
	// The two cases of sameSlotKey that need no search.
	switch {
	case hashTag(key) != key:
		return key + tokenInfix + string(tok[:])
	case key != "" && !strings.Contains(key, "}"):
		return "{" + key + "}" + tokenInfix + string(tok[:])
	}
	return sameSlotKey(key, tokenInfix+string(tok[:]))
}

// Pop implements agentsession.Backend with RPOP.
func (b *Backend) Pop(ctx context.Context, id string) ([]byte, error) {
	key := b.Key(id)
	if b.inline(ctx) {
		return b.rpop(ctx, key)
	}
	return await(ctx, true, func() ([]byte, error) { return b.rpop(ctx, key) })
}

func (b *Backend) rpop(ctx context.Context, key string) ([]byte, error) {
	v, err := b.cmd.RPop(ctx, key).Bytes()
	if errors.Is(err, redis.Nil) {
		return nil, nil
	}
	return v, b.check(key, err)
}

// Clear implements agentsession.Backend with UNLINK.
func (b *Backend) Clear(ctx context.Context, id string) error {
	key := b.Key(id)
	if b.inline(ctx) {
		return b.unlink(ctx, key)
	}
	_, err := await(ctx, true, func() (struct{}, error) { return struct{}{}, b.unlink(ctx, key) })
	return err
}

func (b *Backend) unlink(ctx context.Context, key string) error {
	return b.check(key, b.cmd.Unlink(ctx, key).Err())
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
