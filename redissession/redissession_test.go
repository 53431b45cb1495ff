package redissession_test

import (
	"strings"
	"testing"

	"github.com/agentsession/agentsession"
	"github.com/agentsession/agentsession/internal/testenv"
	"github.com/agentsession/agentsession/redissession"
	"github.com/agentsession/agentsession/sessiontest"
	"github.com/redis/go-redis/v9"
)

// newClient returns a client of the redis-server named by
// AGENTSESSION_REDIS_URL; the test skips without one (fails under CI).
func newClient(t testing.TB) *redis.Client { return testenv.Redis(t) }

// factory makes backends on client, each with its own key prefix.
func factory(client redis.UniversalClient) sessiontest.Factory {
	return func(t *testing.T) (agentsession.Backend, error) {
		return redissession.New(client, &redissession.Options{KeyPrefix: sessiontest.UniquePrefix(t)})
	}
}

func TestConformance(t *testing.T) {
	sessiontest.Run(t, factory(newClient(t)))
}

// TestConformanceCluster runs the suite through a Cluster client, against the
// cluster named by AGENTSESSION_REDIS_CLUSTER_ADDRS (comma-separated
// host:port of its nodes).
func TestConformanceCluster(t *testing.T) {
	addrs := testenv.Get(t, "AGENTSESSION_REDIS_CLUSTER_ADDRS", "a Redis Cluster (redis-server --cluster-enabled yes)")
	c := redis.NewClusterClient(&redis.ClusterOptions{Addrs: strings.Split(addrs, ",")})
	t.Cleanup(func() { c.Close() })
	if err := c.Ping(t.Context()).Err(); err != nil {
		t.Fatalf("Redis Cluster at %s does not answer: %v", addrs, err)
	}
	sessiontest.Run(t, factory(c))
}

// TestConformanceSentinel runs the suite through a Sentinel failover client,
// with the Sentinels named by AGENTSESSION_REDIS_SENTINEL_ADDRS
// (comma-separated host:port) watching the master
// AGENTSESSION_REDIS_SENTINEL_MASTER.
func TestConformanceSentinel(t *testing.T) {
	addrs := testenv.Get(t, "AGENTSESSION_REDIS_SENTINEL_ADDRS", "a Redis Sentinel (redis-server --sentinel)")
	master := testenv.Get(t, "AGENTSESSION_REDIS_SENTINEL_MASTER", "the name of the master the Sentinel watches")
	c := redis.NewFailoverClient(&redis.FailoverOptions{MasterName: master, SentinelAddrs: strings.Split(addrs, ",")})
	t.Cleanup(func() { c.Close() })
	if err := c.Ping(t.Context()).Err(); err != nil {
		t.Fatalf("Redis through Sentinel at %s does not answer: %v", addrs, err)
	}
	sessiontest.Run(t, factory(c))
}
