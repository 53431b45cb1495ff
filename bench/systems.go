package main

import (
	"context"
	"crypto/tls"
	"encoding/json"
	"errors"
	"fmt"
	"net"
	"sync/atomic"

	"github.com/agentsession/agentsession"
	"github.com/agentsession/agentsession/redissession"
	"github.com/redis/go-redis/v9"
	"github.com/redis/rueidis"
)

// The systems: each does the same work a different way.
const (
	sysRaw          = "raw"                     // go-redis, one command per operation, no pipelining: the baseline
	sysSession      = "session"                 // the library, default options
	sysSessionAP    = "session+autopipe"        // the library with redissession.Options.AutoPipeline
	sysSessionOff   = "session-noidem"          // the library with Idempotency: -1 (plain RPUSH adds)
	sysSessionAPOff = "session+autopipe-noidem" // AutoPipeline and Idempotency: -1
	sysRawAP        = "raw+autopipe"            // go-redis's auto-pipeliner, minimal commands
	sysRueidis      = "rueidis"                 // rueidis (auto-pipelining by default), minimal commands
)

// opFunc does one operation of a workload on worker w's session. It reports
// false when there was nothing to do (a pop of an empty list).
type opFunc func(ctx context.Context, w int) (bool, error)

// system is one way to do the work, with the count of writes its
// connections made (each a round trip: every write waits for its replies).
type system struct {
	name   string
	writes atomic.Int64
	// op returns the operation of workload wl on the sessions named ids.
	op    func(wl workload, ids []string) (opFunc, error)
	close func()
}

// countingConn counts the writes to a connection.
type countingConn struct {
	net.Conn
	n *atomic.Int64
}

func (c countingConn) Write(p []byte) (int, error) {
	c.n.Add(1)
	return c.Conn.Write(p)
}

// goredisClient is a client with base's options whose connections count
// their writes in n; its pool has room for every worker, so no worker waits
// for a connection.
func goredisClient(base *redis.Options, poolSize int, n *atomic.Int64) *redis.Client {
	o := *base
	o.PoolSize = poolSize
	o.Dialer = func(ctx context.Context, network, addr string) (net.Conn, error) {
		c, err := (&net.Dialer{}).DialContext(ctx, network, addr)
		if err != nil {
			return nil, err
		}
		return countingConn{c, n}, nil
	}
	return redis.NewClient(&o)
}

// newRaw is the baseline on a plain client, or, with auto, on go-redis's
// auto-pipeliner: each operation the fewest commands for the work.
func newRaw(base *redis.Options, poolSize int, prefix string, auto bool) (*system, error) {
	s := &system{name: sysRaw}
	client := goredisClient(base, poolSize, &s.writes)
	var cmd redis.Cmdable = client
	if auto {
		s.name = sysRawAP
		// The options redissession uses (autoPipeOptions there), so that the
		// two differ only by the library's own work.
		ap, err := client.AutoPipelineWithOptions(&redis.AutoPipelineOptions{MaxBatchSize: 64, MaxConcurrentBatches: 4, Unordered: true})
		if err != nil {
			client.Close()
			return nil, err
		}
		cmd = ap
	}
	s.close = func() { client.Close() }
	s.op = func(wl workload, ids []string) (opFunc, error) {
		keys := keysOf(prefix, ids)
		switch wl.name {
		case wlAdd1, wlAdd10:
			args := make([]any, wl.batch)
			for i := range args {
				args[i] = []byte(payload)
			}
			return func(ctx context.Context, w int) (bool, error) {
				return true, cmd.RPush(ctx, keys[w], args...).Err()
			}, nil
		case wlGet10, wlGetAll:
			start := wl.start()
			return func(ctx context.Context, w int) (bool, error) {
				v, err := cmd.LRange(ctx, keys[w], start, -1).Result()
				return true, wantLen(err, len(v), wl.want)
			}, nil
		case wlPop:
			return func(ctx context.Context, w int) (bool, error) {
				err := cmd.RPop(ctx, keys[w]).Err()
				if errors.Is(err, redis.Nil) {
					return false, nil
				}
				return true, err
			}, nil
		}
		return nil, fmt.Errorf("no raw form of %s", wl.name)
	}
	return s, nil
}

// newSession is the library: an agentsession.Session per worker over a
// redissession.Backend on its own client.
func newSession(name string, base *redis.Options, poolSize int, opts redissession.Options) (*system, error) {
	s := &system{name: name}
	client := goredisClient(base, poolSize, &s.writes)
	b, err := redissession.New(client, &opts)
	if err != nil {
		client.Close()
		return nil, err
	}
	s.close = func() { client.Close() }
	s.op = func(wl workload, ids []string) (opFunc, error) {
		sessions := make([]*agentsession.Session, len(ids))
		for i, id := range ids {
			if sessions[i], err = agentsession.New(b, id, nil); err != nil {
				return nil, err
			}
		}
		switch wl.name {
		case wlAdd1, wlAdd10:
			items := make([]json.RawMessage, wl.batch)
			for i := range items {
				items[i] = payload
			}
			return func(ctx context.Context, w int) (bool, error) {
				return true, sessions[w].AddItems(ctx, items)
			}, nil
		case wlGet10, wlGetAll:
			return func(ctx context.Context, w int) (bool, error) {
				v, err := sessions[w].GetItems(ctx, wl.limit)
				return true, wantLen(err, len(v), wl.want)
			}, nil
		case wlPop:
			return func(ctx context.Context, w int) (bool, error) {
				it, err := sessions[w].PopItem(ctx)
				return it != nil, err
			}, nil
		}
		return nil, fmt.Errorf("no session form of %s", wl.name)
	}
	return s, nil
}

// newRueidis is the baseline on rueidis, which pipelines the commands of
// concurrent callers on a shared connection by default.
func newRueidis(base *redis.Options, prefix string) (*system, error) {
	s := &system{name: sysRueidis}
	client, err := rueidis.NewClient(rueidis.ClientOption{
		InitAddress:  []string{base.Addr},
		Username:     base.Username,
		Password:     base.Password,
		SelectDB:     base.DB,
		DisableCache: true,
		DialCtxFn: func(ctx context.Context, addr string, d *net.Dialer, _ *tls.Config) (net.Conn, error) {
			c, err := d.DialContext(ctx, "tcp", addr)
			if err != nil {
				return nil, err
			}
			return countingConn{c, &s.writes}, nil
		},
	})
	if err != nil {
		return nil, err
	}
	s.close = client.Close
	s.op = func(wl workload, ids []string) (opFunc, error) {
		keys := keysOf(prefix, ids)
		switch wl.name {
		case wlAdd1, wlAdd10:
			vals := make([]string, wl.batch)
			for i := range vals {
				vals[i] = string(payload)
			}
			return func(ctx context.Context, w int) (bool, error) {
				return true, client.Do(ctx, client.B().Rpush().Key(keys[w]).Element(vals...).Build()).Error()
			}, nil
		case wlGet10, wlGetAll:
			start := wl.start()
			return func(ctx context.Context, w int) (bool, error) {
				v, err := client.Do(ctx, client.B().Lrange().Key(keys[w]).Start(start).Stop(-1).Build()).AsStrSlice()
				return true, wantLen(err, len(v), wl.want)
			}, nil
		case wlPop:
			return func(ctx context.Context, w int) (bool, error) {
				_, err := client.Do(ctx, client.B().Rpop().Key(keys[w]).Build()).AsBytes()
				if rueidis.IsRedisNil(err) {
					return false, nil
				}
				return true, err
			}, nil
		}
		return nil, fmt.Errorf("no rueidis form of %s", wl.name)
	}
	return s, nil
}

// wantLen checks that a read returned the items it should have, so that no
// system is timed doing less work than the others.
func wantLen(err error, got, want int) error {
	if err == nil && got != want {
		return fmt.Errorf("read %d items, want %d", got, want)
	}
	return err
}

// keysOf is the Redis key of each session: the library's "{prefix}:{id}".
func keysOf(prefix string, ids []string) []string {
	keys := make([]string, len(ids))
	for i, id := range ids {
		keys[i] = prefix + ":" + id
	}
	return keys
}
