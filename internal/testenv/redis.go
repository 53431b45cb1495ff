package testenv

import (
	"testing"

	"github.com/redis/go-redis/v9"
)

// Redis returns a client of the redis-server named by AGENTSESSION_REDIS_URL,
// closed when t ends; without the variable t skips (fails under CI).
func Redis(t testing.TB) *redis.Client {
	t.Helper()
	url := Get(t, "AGENTSESSION_REDIS_URL", "a redis-server (for example redis://127.0.0.1:6379/0)")
	opts, err := redis.ParseURL(url)
	if err != nil {
		t.Fatalf("AGENTSESSION_REDIS_URL: %v", err)
	}
	c := redis.NewClient(opts)
	t.Cleanup(func() { c.Close() })
	if err := c.Ping(t.Context()).Err(); err != nil {
		t.Fatalf("redis-server at %s does not answer: %v", url, err)
	}
	return c
}
