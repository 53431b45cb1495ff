package redissession_test

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"sync"
	"sync/atomic"
	"testing"
	"time"

	"github.com/agentsession/agentsession"
	"github.com/agentsession/agentsession/internal/faultproxy"
	"github.com/agentsession/agentsession/redissession"
	"github.com/agentsession/agentsession/sessiontest"
	"github.com/redis/go-redis/v9"
)

// addsThroughCuts makes 1,000 adds of 2-item batches (on 10 sessions, with and
// without a TTL) through a proxy that drops the reply of every fourth append,
// after Redis has run it, so that go-redis retries it. It returns, for each
// batch, whether the add was acknowledged, and how many times each batch's
// items are stored.
func addsThroughCuts(t *testing.T, opts *redissession.Options) (acked []bool, stored map[int]int, cuts int64) {
	t.Helper()
	direct := newClient(t)
	var n atomic.Int64
	proxy := faultproxy.Start(t, direct.Options().Addr, func(cmd string) bool {
		switch cmd {
		case "EVALSHA", "EVAL", "RPUSH":
			return n.Add(1)%4 == 0
		}
		return false
	})
	client := redis.NewClient(&redis.Options{Addr: proxy.Addr(), DB: direct.Options().DB, MaxRetries: 3})
	t.Cleanup(func() { client.Close() })
	o := *opts
	o.KeyPrefix = sessiontest.UniquePrefix(t)
	store, err := redissession.New(client, &o)
	if err != nil {
		t.Fatal(err)
	}
	const batches, sessions, workers = 1000, 10, 8
	acked = make([]bool, batches)
	var wg sync.WaitGroup
	var next atomic.Int64
	for range workers {
		wg.Go(func() {
			for {
				b := int(next.Add(1) - 1)
				if b >= batches {
					return
				}
				var sopts *agentsession.Options
				if b%2 == 0 {
					sopts = &agentsession.Options{TTL: time.Hour}
				}
				s, err := agentsession.New(store, fmt.Sprintf("s%d", b%sessions), sopts)
				if err != nil {
					t.Error(err)
					return
				}
				batch := []json.RawMessage{
					json.RawMessage(fmt.Sprintf(`{"batch":%d,"i":0}`, b)),
					json.RawMessage(fmt.Sprintf(`{"batch":%d,"i":1}`, b)),
				}
				acked[b] = s.AddItems(t.Context(), batch) == nil
			}
		})
	}
	wg.Wait()
	stored = map[int]int{}
	for i := range sessions {
		key := store.Key(fmt.Sprintf("s%d", i))
		t.Cleanup(func() { direct.Unlink(context.Background(), key) })
		vals, err := direct.LRange(t.Context(), key, 0, -1).Result()
		if err != nil {
			t.Fatal(err)
		}
		for j := 0; j < len(vals); j++ {
			var it struct{ Batch, I int }
			if err := json.Unmarshal([]byte(vals[j]), &it); err != nil {
				t.Fatal(err)
			}
			if it.I == 0 {
				stored[it.Batch]++
				if j+1 >= len(vals) || vals[j+1] != fmt.Sprintf(`{"batch":%d,"i":1}`, it.Batch) {
					t.Fatalf("batch %d is not stored whole", it.Batch)
				}
			}
		}
	}
	return acked, stored, proxy.Cuts()
}

// TestExactlyOnceUnderRetries: with the default Options every batch lands
// exactly once, although a quarter of the replies were lost and the commands
// retried.
func TestExactlyOnceUnderRetries(t *testing.T) {
	acked, stored, cuts := addsThroughCuts(t, &redissession.Options{})
	var ok, failed, twice, lost int
	for b, a := range acked {
		switch {
		case stored[b] > 1:
			twice++
		case a && stored[b] == 0:
			lost++
		}
		if a {
			ok++
		} else {
			failed++
		}
	}
	t.Logf("exactly-once: 1000 adds, %d replies cut, %d acknowledged, %d failed after retries, %d lost, %d stored twice", cuts, ok, failed, lost, twice)
	if cuts < 100 || twice != 0 || lost != 0 {
		t.Fatalf("%d replies cut; %d batches stored twice and %d acknowledged ones lost, want 0 and 0", cuts, twice, lost)
	}
}

// TestDuplicatesWithoutIdempotency shows the fault the tokens guard against:
// with them turned off, the same run stores retried batches twice.
func TestDuplicatesWithoutIdempotency(t *testing.T) {
	_, stored, cuts := addsThroughCuts(t, &redissession.Options{Idempotency: -1})
	twice := 0
	for _, n := range stored {
		if n > 1 {
			twice++
		}
	}
	t.Logf("without tokens: 1000 adds, %d replies cut, %d batches stored twice", cuts, twice)
	if twice == 0 {
		t.Fatalf("%d replies cut, yet no batch was stored twice: the fault was not reproduced", cuts)
	}
}

// TestMaxItemsTrims keeps the newest MaxItems items in the same step as the
// add, and refuses a batch larger than MaxItems.
func TestMaxItemsTrims(t *testing.T) {
	ctx := t.Context()
	client := newClient(t)
	store, err := redissession.New(client, &redissession.Options{KeyPrefix: sessiontest.UniquePrefix(t), MaxItems: 5})
	if err != nil {
		t.Fatal(err)
	}
	s, err := agentsession.New(store, "capped", nil)
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { client.Unlink(context.Background(), store.Key("capped")) })
	for i := range 4 {
		if err := s.AddItems(ctx, []json.RawMessage{
			json.RawMessage(fmt.Sprintf(`{"n":%d}`, 2*i)), json.RawMessage(fmt.Sprintf(`{"n":%d}`, 2*i+1)),
		}); err != nil {
			t.Fatal(err)
		}
	}
	got := client.LRange(ctx, store.Key("capped"), 0, -1).Val()
	want := []string{`{"n":3}`, `{"n":4}`, `{"n":5}`, `{"n":6}`, `{"n":7}`}
	if fmt.Sprint(got) != fmt.Sprint(want) {
		t.Fatalf("after 8 items with MaxItems 5: %v, want %v", got, want)
	}
	err = s.AddItems(ctx, make([]json.RawMessage, 6))
	var le *agentsession.LimitError
	if err == nil {
		t.Fatal("a batch of 6 nil items with MaxItems 5: no error")
	}
	six := []json.RawMessage{}
	for i := range 6 {
		six = append(six, json.RawMessage(fmt.Sprintf(`{"x":%d}`, i)))
	}
	err = s.AddItems(ctx, six)
	if !errors.As(err, &le) || le.Max != 5 || le.Got != 6 {
		t.Fatalf("a batch of 6 with MaxItems 5: %v, want a LimitError", err)
	}
	if n := client.LLen(ctx, store.Key("capped")).Val(); n != 5 {
		t.Fatalf("the refused batch changed the session: %d items", n)
	}
	if _, err := redissession.New(client, &redissession.Options{MaxItems: -1}); err == nil {
		t.Fatal("MaxItems -1: no error")
	}
}

// TestWaitReplicasWithoutReplicas: on a server with no replica an add waits
// WaitTimeout and fails with ErrNotReplicated, its write stored on the master
// all the same (as documented); a Cluster client is refused.
func TestWaitReplicasWithoutReplicas(t *testing.T) {
	ctx := t.Context()
	client := newClient(t)
	store, err := redissession.New(client, &redissession.Options{KeyPrefix: sessiontest.UniquePrefix(t), WaitReplicas: 1, WaitTimeout: 50 * time.Millisecond})
	if err != nil {
		t.Fatal(err)
	}
	s, err := agentsession.New(store, "w", nil)
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { client.Unlink(context.Background(), store.Key("w")) })
	err = s.AddItems(ctx, []json.RawMessage{json.RawMessage(`{"a":1}`)})
	if !errors.Is(err, redissession.ErrNotReplicated) {
		t.Fatalf("AddItems with no replica: %v, want ErrNotReplicated", err)
	}
	if n := client.LLen(ctx, store.Key("w")).Val(); n != 1 {
		t.Fatalf("the unreplicated add left %d items on the master, want 1", n)
	}
	cc := redis.NewClusterClient(&redis.ClusterOptions{Addrs: []string{"127.0.0.1:1"}})
	t.Cleanup(func() { cc.Close() })
	if _, err := redissession.New(cc, &redissession.Options{WaitReplicas: 1}); !errors.Is(err, agentsession.ErrInvalidOptions) {
		t.Fatalf("WaitReplicas with a Cluster client: %v, want ErrInvalidOptions", err)
	}
}
