package main

import (
	"strings"
	"testing"

	"github.com/agentsession/agentsession/internal/testenv"
	"github.com/alicebob/miniredis/v2"
	"github.com/redis/go-redis/v9"
)

const wantOutput = `session: user-123 at key myapp:sessions:user-123
added 2 items
GetItems(0): [{"role":"user","content":"Hello"} {"role":"assistant","content":"Hi there!"}]
GetItems(1): [{"role":"assistant","content":"Hi there!"}]
PopItem():   {"role":"assistant","content":"Hi there!"}
after ClearSession: 0 items
`

func TestQuickstartInProcess(t *testing.T) {
	srv := miniredis.RunT(t)
	client := redis.NewClient(&redis.Options{Addr: srv.Addr()})
	t.Cleanup(func() { client.Close() })
	runAndCheck(t, client)
}

func TestQuickstartRedis(t *testing.T) {
	opts, err := redis.ParseURL(testenv.Get(t, "AGENTSESSION_REDIS_URL", "a redis-server"))
	if err != nil {
		t.Fatal(err)
	}
	client := redis.NewClient(opts)
	t.Cleanup(func() { client.Close() })
	runAndCheck(t, client)
}

func runAndCheck(t *testing.T, client redis.UniversalClient) {
	t.Helper()
	var out strings.Builder
	if err := run(t.Context(), &out, client); err != nil {
		t.Fatal(err)
	}
	if out.String() != wantOutput {
		t.Fatalf("output:\n%s\nwant:\n%s", out.String(), wantOutput)
	}
}
