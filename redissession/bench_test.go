package redissession_test

// Benchmarks of the Redis backend against a real redis-server, each library
// operation beside a raw go-redis baseline that sends the fewest commands for
// the same work, on the same client, key shape, payload and list sizes. In
// every pair the library's sub-benchmark is named "session" and the baseline's
// "raw-{command}". bench/redis-bench.sh starts a server, runs them and prints
// benchstat's side-by-side comparison of each pair (it renames the two to
// impl=session and impl=raw for benchstat -col /impl) and their ratios:
//
//	bash bench/redis-bench.sh
//
// By hand: AGENTSESSION_REDIS_URL=redis://127.0.0.1:6379/0 go test -run '^$' -bench . -benchmem ./redissession
// Without AGENTSESSION_REDIS_URL they are skipped. Every benchmark keeps its
// keys under its own prefix and unlinks them when it ends.

import (
	"context"
	"encoding/json"
	"fmt"
	"strconv"
	"testing"
	"time"

	"github.com/agentsession/agentsession"
	"github.com/agentsession/agentsession/redissession"
	"github.com/agentsession/agentsession/sessiontest"
	"github.com/redis/go-redis/v9"
)

// payload is one realistic conversation item: a compact JSON object of about
// 150 bytes, stored as is by both sides of every pair.
var payload = json.RawMessage(`{"role":"user","content":"Could you summarise last quarter's sales for the north-east region and flag anything unusual against the same quarter last year?"}`)

const (
	// trimEvery bounds the lists that the append benchmarks grow: every
	// trimEvery appends, with the timer stopped, the list is cut back to its
	// newest element, so both sides of a pair push onto lists of 1 to
	// trimEvery elements.
	trimEvery = 1000
	// refillBy is how many elements the pop benchmarks push, with the timer
	// stopped, whenever they have popped them all.
	refillBy = 1000
	// fillChunk is how many elements one RPUSH carries when a list is filled;
	// fillPipeline is how many such RPUSHes go in one pipeline.
	fillChunk    = 10_000
	fillPipeline = 10
)

// benchEnv is one benchmark's client and backend, with a unique key prefix.
type benchEnv struct {
	client  *redis.Client
	backend *redissession.Backend
	keys    []string // to unlink at the end
}

// newBenchEnv connects to AGENTSESSION_REDIS_URL (skipping b without it) and
// unlinks the benchmark's keys when b ends.
func newBenchEnv(b *testing.B) *benchEnv {
	b.Helper()
	c := newClient(b)
	be, err := redissession.New(c, &redissession.Options{KeyPrefix: sessiontest.UniquePrefix(b)})
	if err != nil {
		b.Fatal(err)
	}
	e := &benchEnv{client: c, backend: be}
	b.Cleanup(func() {
		if len(e.keys) == 0 {
			return
		}
		// b.Context is already done when cleanups run.
		if err := c.Unlink(context.Background(), e.keys...).Err(); err != nil {
			b.Errorf("unlink benchmark keys: %v", err)
		}
	})
	return e
}

// key returns the key of session id, to be unlinked when the benchmark ends.
func (e *benchEnv) key(id string) string {
	k := e.backend.Key(id)
	e.keys = append(e.keys, k)
	return k
}

// session returns the session id of e's backend.
func (e *benchEnv) session(b *testing.B, id string, opts *agentsession.Options) *agentsession.Session {
	b.Helper()
	s, err := agentsession.New(e.backend, id, opts)
	if err != nil {
		b.Fatal(err)
	}
	return s
}

// fill appends n copies of payload to key, in pipelines of RPUSHes of up to
// fillChunk elements.
func (e *benchEnv) fill(b *testing.B, key string, n int) {
	b.Helper()
	ctx := context.Background()
	chunk := make([]any, min(n, fillChunk))
	for i := range chunk {
		chunk[i] = []byte(payload)
	}
	for n > 0 {
		p := e.client.Pipeline()
		for i := 0; i < fillPipeline && n > 0; i++ {
			k := min(n, fillChunk)
			p.RPush(ctx, key, chunk[:k]...)
			n -= k
		}
		if _, err := p.Exec(ctx); err != nil {
			b.Fatalf("fill %s: %v", key, err)
		}
	}
}

// benchAppend times op, which appends to key, cutting the list back to its
// newest element every trimEvery appends with LTRIM outside the timer.
func benchAppend(b *testing.B, e *benchEnv, key string, op func() error) {
	b.ReportAllocs()
	if err := op(); err != nil { // warm up: connection, script cache
		b.Fatal(err)
	}
	n := 1
	for b.Loop() {
		if err := op(); err != nil {
			b.Fatal(err)
		}
		if n++; n == trimEvery {
			b.StopTimer()
			if err := e.client.LTrim(context.Background(), key, -1, -1).Err(); err != nil {
				b.Fatal(err)
			}
			n = 1
			b.StartTimer()
		}
	}
}

// BenchmarkAdd1 appends one item to a session without a TTL: AddItems against
// a plain RPUSH.
func BenchmarkAdd1(b *testing.B) {
	benchAdd1(b, context.Background(), nil)
}

// BenchmarkAdd1TTL appends one item to a session with a TTL: AddItems (its
// RPUSH+PEXPIRE script) against RPUSH and PEXPIRE in MULTI/EXEC, the least a
// client can send to do both atomically.
func BenchmarkAdd1TTL(b *testing.B) {
	benchAdd1(b, context.Background(), &agentsession.Options{TTL: time.Hour})
}

// BenchmarkAdd1CancelCtx is BenchmarkAdd1 with a context that can be
// cancelled, as a request's context can: the library then runs each command
// in a watcher goroutine (await.go), go-redis does not.
func BenchmarkAdd1CancelCtx(b *testing.B) {
	ctx, cancel := context.WithCancel(context.Background())
	defer cancel()
	benchAdd1(b, ctx, nil)
}

func benchAdd1(b *testing.B, ctx context.Context, opts *agentsession.Options) {
	b.Run("session", func(b *testing.B) {
		e := newBenchEnv(b)
		s := e.session(b, "add1", opts)
		items := []json.RawMessage{payload}
		benchAppend(b, e, e.key("add1"), func() error {
			return s.AddItems(ctx, items)
		})
	})
	if opts != nil && opts.TTL > 0 {
		ttl := opts.TTL
		b.Run("raw-multi", func(b *testing.B) {
			e := newBenchEnv(b)
			key := e.key("add1")
			benchAppend(b, e, key, func() error {
				_, err := e.client.TxPipelined(ctx, func(p redis.Pipeliner) error {
					p.RPush(ctx, key, []byte(payload))
					p.PExpire(ctx, key, ttl)
					return nil
				})
				return err
			})
		})
		return
	}
	b.Run("raw-rpush", func(b *testing.B) {
		e := newBenchEnv(b)
		key := e.key("add1")
		benchAppend(b, e, key, func() error {
			return e.client.RPush(ctx, key, []byte(payload)).Err()
		})
	})
}

// BenchmarkAdd10 appends a batch of 10 items to a session without a TTL:
// AddItems against one RPUSH of the 10 values.
func BenchmarkAdd10(b *testing.B) {
	ctx := context.Background()
	items := make([]json.RawMessage, 10)
	vals := make([]any, len(items))
	for i := range items {
		items[i] = payload
		vals[i] = []byte(payload)
	}
	b.Run("session", func(b *testing.B) {
		e := newBenchEnv(b)
		s := e.session(b, "add10", nil)
		benchAppend(b, e, e.key("add10"), func() error {
			return s.AddItems(ctx, items)
		})
	})
	b.Run("raw-rpush", func(b *testing.B) {
		e := newBenchEnv(b)
		key := e.key("add10")
		benchAppend(b, e, key, func() error {
			return e.client.RPush(ctx, key, vals...).Err()
		})
	})
}

// BenchmarkGetItems10 reads the 10 newest items of sessions of 10, 1,000 and
// 1,000,000 items: GetItems(limit=10) against LRANGE key -10 -1. The lists
// are filled once, before any of them is timed.
func BenchmarkGetItems10(b *testing.B) {
	e := newBenchEnv(b)
	sizes := []int{10, 1000, 1_000_000}
	for _, n := range sizes {
		e.fill(b, e.key("len"+strconv.Itoa(n)), n)
	}
	for _, n := range sizes {
		id := "len" + strconv.Itoa(n)
		b.Run(fmt.Sprintf("len=%d", n), func(b *testing.B) {
			benchRead(b, e, id, 10)
		})
	}
}

// BenchmarkGetAll100 reads the whole of a 100-item session: GetItems(0)
// against LRANGE key 0 -1.
func BenchmarkGetAll100(b *testing.B) {
	e := newBenchEnv(b)
	e.fill(b, e.key("all100"), 100)
	benchRead(b, e, "all100", 0)
}

// benchRead runs the pair of reads of limit items (0: all) of session id.
func benchRead(b *testing.B, e *benchEnv, id string, limit int) {
	ctx := context.Background()
	want, err := e.client.LLen(ctx, e.backend.Key(id)).Result()
	if err != nil {
		b.Fatal(err)
	}
	if limit > 0 {
		want = min(want, int64(limit))
	}
	b.Run("session", func(b *testing.B) {
		b.ReportAllocs()
		s := e.session(b, id, nil)
		for b.Loop() {
			items, err := s.GetItems(ctx, limit)
			if err != nil || int64(len(items)) != want {
				b.Fatalf("GetItems: %d items, %v; want %d", len(items), err, want)
			}
		}
	})
	b.Run("raw-lrange", func(b *testing.B) {
		b.ReportAllocs()
		key := e.backend.Key(id)
		start := int64(0)
		if limit > 0 {
			start = -int64(limit)
		}
		for b.Loop() {
			vals, err := e.client.LRange(ctx, key, start, -1).Result()
			if err != nil || int64(len(vals)) != want {
				b.Fatalf("LRANGE: %d items, %v; want %d", len(vals), err, want)
			}
		}
	})
}

// BenchmarkPop removes the newest item of a session of 1 to refillBy items:
// PopItem against RPOP. The list is refilled outside the timer.
func BenchmarkPop(b *testing.B) {
	b.Run("session", func(b *testing.B) {
		e := newBenchEnv(b)
		s := e.session(b, "pop", nil)
		ctx := context.Background()
		benchPop(b, e, e.key("pop"), func() (bool, error) {
			item, err := s.PopItem(ctx)
			return item != nil, err
		})
	})
	b.Run("raw-rpop", func(b *testing.B) {
		e := newBenchEnv(b)
		key := e.key("pop")
		ctx := context.Background()
		benchPop(b, e, key, func() (bool, error) {
			v, err := e.client.RPop(ctx, key).Bytes()
			return v != nil, err
		})
	})
}

// benchPop times op, which pops one element of key and says whether it got
// one, refilling the list by refillBy elements whenever it is empty.
func benchPop(b *testing.B, e *benchEnv, key string, op func() (bool, error)) {
	b.ReportAllocs()
	e.fill(b, key, refillBy)
	left := refillBy
	for b.Loop() {
		if left == 0 {
			b.StopTimer()
			e.fill(b, key, refillBy)
			left = refillBy
			b.StartTimer()
		}
		ok, err := op()
		if err != nil || !ok {
			b.Fatalf("pop: got an item %v, error %v", ok, err)
		}
		left--
	}
}
