package redissession_test

import (
	"context"
	"encoding/json"
	"fmt"
	"net"
	"strings"
	"sync"
	"sync/atomic"
	"testing"

	"github.com/agentsession/agentsession"
	"github.com/agentsession/agentsession/internal/testenv"
	"github.com/agentsession/agentsession/redissession"
	"github.com/agentsession/agentsession/sessiontest"
	"github.com/redis/go-redis/v9"
)

// autoFactory makes auto-pipelined backends on client.
func autoFactory(client redis.UniversalClient) sessiontest.Factory {
	return func(t *testing.T) (agentsession.Backend, error) {
		return redissession.New(client, &redissession.Options{KeyPrefix: sessiontest.UniquePrefix(t), AutoPipeline: true})
	}
}

func TestConformanceAutoPipeline(t *testing.T) {
	opts, err := redis.ParseURL(testenv.Get(t, "AGENTSESSION_REDIS_URL", "a redis-server"))
	if err != nil {
		t.Fatal(err)
	}
	c := redis.NewClient(opts)
	t.Cleanup(func() { c.Close() })
	sessiontest.Run(t, autoFactory(c))
}

func TestConformanceAutoPipelineCluster(t *testing.T) {
	addrs := testenv.Get(t, "AGENTSESSION_REDIS_CLUSTER_ADDRS", "a Redis Cluster (redis-server --cluster-enabled yes)")
	c := redis.NewClusterClient(&redis.ClusterOptions{Addrs: strings.Split(addrs, ",")})
	t.Cleanup(func() { c.Close() })
	sessiontest.Run(t, autoFactory(c))
}

// countingConn counts the writes to a connection: with request and reply
// traffic, each is a round trip.
type countingConn struct {
	net.Conn
	writes *atomic.Int64
}

func (c countingConn) Write(p []byte) (int, error) {
	c.writes.Add(1)
	return c.Conn.Write(p)
}

// TestAutoPipelineSharesRoundTrips adds from many goroutines at once, each to
// its own session, and checks that every item landed once and in order, and
// that the adds took fewer writes to the server than there were adds (they
// were pipelined), while the same adds without AutoPipeline take one each.
func TestAutoPipelineSharesRoundTrips(t *testing.T) {
	opts, err := redis.ParseURL(testenv.Get(t, "AGENTSESSION_REDIS_URL", "a redis-server"))
	if err != nil {
		t.Fatal(err)
	}
	const workers, adds = 64, 40
	writesPerAdd := func(auto bool) float64 {
		var writes atomic.Int64
		o := *opts
		o.PoolSize = workers
		o.Dialer = func(ctx context.Context, network, addr string) (net.Conn, error) {
			c, err := (&net.Dialer{}).DialContext(ctx, network, addr)
			if err != nil {
				return nil, err
			}
			return countingConn{c, &writes}, nil
		}
		client := redis.NewClient(&o)
		defer client.Close()
		b, err := redissession.New(client, &redissession.Options{KeyPrefix: sessiontest.UniquePrefix(t), AutoPipeline: auto})
		if err != nil {
			t.Fatal(err)
		}
		ctx := context.Background()
		sessions := make([]*agentsession.Session, workers)
		for i := range sessions {
			if sessions[i], err = agentsession.New(b, fmt.Sprintf("s%d", i), nil); err != nil {
				t.Fatal(err)
			}
			if err := client.Ping(ctx).Err(); err != nil { // dial before counting
				t.Fatal(err)
			}
		}
		start := writes.Load()
		var wg sync.WaitGroup
		for _, s := range sessions {
			wg.Go(func() {
				for j := range adds {
					if err := s.AddItems(ctx, []json.RawMessage{json.RawMessage(fmt.Sprintf(`{"n":%d}`, j))}); err != nil {
						t.Error(err)
						return
					}
				}
			})
		}
		wg.Wait()
		n := writes.Load() - start
		for _, s := range sessions {
			items, err := s.GetItems(ctx, 0)
			if err != nil {
				t.Fatal(err)
			}
			if len(items) != adds {
				t.Fatalf("auto=%v: %s has %d items, want %d", auto, s.SessionID(), len(items), adds)
			}
			for j, it := range items {
				if want := fmt.Sprintf(`{"n":%d}`, j); string(it) != want {
					t.Fatalf("auto=%v: %s item %d = %s, want %s", auto, s.SessionID(), j, it, want)
				}
			}
			if err := s.ClearSession(ctx); err != nil {
				t.Fatal(err)
			}
		}
		return float64(n) / float64(workers*adds)
	}
	plain, auto := writesPerAdd(false), writesPerAdd(true)
	t.Logf("writes per add: %.3f plain, %.3f auto-pipelined", plain, auto)
	if plain < 0.99 {
		t.Errorf("plain client: %.3f writes per add, want about 1", plain)
	}
	if auto > 0.5 {
		t.Errorf("auto-pipelined: %.3f writes per add, want well below 1 (adds sharing writes)", auto)
	}
}
