package redissession_test

import (
	"context"
	"encoding/json"
	"errors"
	"testing"
	"time"

	"github.com/agentsession/agentsession"
	"github.com/agentsession/agentsession/redissession"
	"github.com/agentsession/agentsession/sessiontest"
	"github.com/redis/go-redis/v9"
)

// TestReferenceUsage is the reference design's usage example, checked against
// what it leaves in Redis: one list at {key_prefix}:{session_id}, one compact
// JSON object per element, oldest first, with the TTL set.
func TestReferenceUsage(t *testing.T) {
	ctx := t.Context()
	client := newClient(t)
	prefix := sessiontest.UniquePrefix(t) + ":myapp:sessions"
	store, err := redissession.New(client, &redissession.Options{KeyPrefix: prefix})
	if err != nil {
		t.Fatal(err)
	}
	s, err := agentsession.New(store, "user-123", &agentsession.Options{TTL: 3600 * time.Second})
	if err != nil {
		t.Fatal(err)
	}
	key := prefix + ":user-123"
	if store.Key("user-123") != key {
		t.Fatalf("Key = %q, want %q", store.Key("user-123"), key)
	}
	t.Cleanup(func() { client.Unlink(context.Background(), key) })

	err = s.AddItems(ctx, []json.RawMessage{
		json.RawMessage(`{"role": "user", "content": "Hello"}`),
		json.RawMessage(`{"role": "assistant", "content": "Hi there!"}`),
	})
	if err != nil {
		t.Fatal(err)
	}
	if typ := client.Type(ctx, key).Val(); typ != "list" {
		t.Fatalf("TYPE %s = %q, want list", key, typ)
	}
	raw := client.LRange(ctx, key, 0, -1).Val()
	want := []string{`{"role":"user","content":"Hello"}`, `{"role":"assistant","content":"Hi there!"}`}
	if len(raw) != 2 || raw[0] != want[0] || raw[1] != want[1] {
		t.Fatalf("LRANGE %s 0 -1 = %q, want %q", key, raw, want)
	}
	if ttl := client.PTTL(ctx, key).Val(); ttl <= 3590*time.Second || ttl > 3600*time.Second {
		t.Fatalf("PTTL %s = %v, want just under 1h", key, ttl)
	}

	items, err := s.GetItems(ctx, 0)
	if err != nil || len(items) != 2 || string(items[1]) != want[1] {
		t.Fatalf("GetItems() = %s, %v", items, err)
	}
	recent, err := s.GetItems(ctx, 1)
	if err != nil || len(recent) != 1 || string(recent[0]) != want[1] {
		t.Fatalf("GetItems(1) = %s, %v; want [%s]", recent, err, want[1])
	}
	last, err := s.PopItem(ctx)
	if err != nil || string(last) != want[1] {
		t.Fatalf("PopItem() = %s, %v; want %s", last, err, want[1])
	}
	if err := s.ClearSession(ctx); err != nil {
		t.Fatal(err)
	}
	if n := client.Exists(ctx, key).Val(); n != 0 {
		t.Fatalf("EXISTS %s = %d after ClearSession, want 0", key, n)
	}
}

func TestDefaultKeyPrefix(t *testing.T) {
	store, err := redissession.New(newClient(t), nil)
	if err != nil {
		t.Fatal(err)
	}
	if got := store.Key("user-123"); got != "openai_agents_session:user-123" {
		t.Fatalf("Key = %q, want openai_agents_session:user-123", got)
	}
	if got := store.KeyPrefix(); got != redissession.DefaultKeyPrefix {
		t.Fatalf("KeyPrefix = %q", got)
	}
}

// TestReadsPythonFormat reads elements as the Python package writes them:
// json.dumps output, with spaces, pushed with RPUSH.
func TestReadsPythonFormat(t *testing.T) {
	ctx := t.Context()
	client := newClient(t)
	store, s := newSession(t, client, "py", nil)
	key := store.Key("py")
	py := []string{`{"role": "user", "content": "Hello"}`, `{"role": "assistant", "content": "Hi there!", "n": [1, 2]}`}
	client.RPush(ctx, key, py[0], py[1])
	got, err := s.GetItems(ctx, 0)
	if err != nil || len(got) != 2 || string(got[0]) != py[0] || string(got[1]) != py[1] {
		t.Fatalf("GetItems() = %s, %v; want the stored elements %q", got, err, py)
	}
}

// TestTTLRefreshedByAdd checks the expiry with PTTL: every add sets the full
// TTL again; an add on a session without a TTL leaves an expiry as it was, as
// the reference does; reads leave it alone.
func TestTTLRefreshedByAdd(t *testing.T) {
	ctx := t.Context()
	client := newClient(t)
	store, s := newSession(t, client, "ttl", &agentsession.Options{TTL: time.Hour})
	key := store.Key("ttl")
	if err := s.AddItems(ctx, items(1)); err != nil {
		t.Fatal(err)
	}
	client.PExpire(ctx, key, 5*time.Second)
	if _, err := s.GetItems(ctx, 0); err != nil {
		t.Fatal(err)
	}
	if ttl := client.PTTL(ctx, key).Val(); ttl > 5*time.Second {
		t.Fatalf("PTTL after a read = %v, want <= 5s: reads must not refresh", ttl)
	}
	if err := s.AddItems(ctx, items(1)); err != nil {
		t.Fatal(err)
	}
	if ttl := client.PTTL(ctx, key).Val(); ttl < 59*time.Minute {
		t.Fatalf("PTTL after an add = %v, want the full hour again", ttl)
	}

	noTTL, err := agentsession.New(store, "ttl", nil)
	if err != nil {
		t.Fatal(err)
	}
	client.PExpire(ctx, key, 50*time.Second)
	if err := noTTL.AddItems(ctx, items(1)); err != nil {
		t.Fatal(err)
	}
	if ttl := client.PTTL(ctx, key).Val(); ttl <= 0 || ttl > 50*time.Second {
		t.Fatalf("PTTL after an add without a TTL = %v, want the 50s set before", ttl)
	}
}

// TestWrongType plants keys of other types where a session would be: every
// operation but ClearSession fails with ErrWrongType, keeps the redis.Error,
// and changes nothing; ClearSession removes the key.
func TestWrongType(t *testing.T) {
	ctx := t.Context()
	client := newClient(t)
	store, err := redissession.New(client, &redissession.Options{KeyPrefix: sessiontest.UniquePrefix(t)})
	if err != nil {
		t.Fatal(err)
	}
	plant := map[string]func(key string) error{
		"string": func(k string) error { return client.Set(ctx, k, "x", 0).Err() },
		"hash":   func(k string) error { return client.HSet(ctx, k, "f", "v").Err() },
		"set":    func(k string) error { return client.SAdd(ctx, k, "m").Err() },
	}
	for typ, plantFn := range plant {
		key := store.Key(typ)
		t.Cleanup(func() { client.Unlink(context.Background(), key) })
		if err := plantFn(key); err != nil {
			t.Fatal(err)
		}
		for _, opts := range []*agentsession.Options{nil, {TTL: time.Minute}, {TTL: time.Minute, SlidingTTL: true}} {
			s, err := agentsession.New(store, typ, opts)
			if err != nil {
				t.Fatal(err)
			}
			_, getErr := s.GetItems(ctx, 0)
			_, limErr := s.GetItems(ctx, 5)
			_, popErr := s.PopItem(ctx)
			for op, err := range map[string]error{"GetItems": getErr, "GetItems(5)": limErr, "AddItems": s.AddItems(ctx, items(2)), "PopItem": popErr} {
				var rerr redis.Error
				if !errors.Is(err, agentsession.ErrWrongType) || !errors.As(err, &rerr) {
					t.Fatalf("%s on a %s key (options %+v): %v; want ErrWrongType wrapping a redis.Error", op, typ, opts, err)
				}
			}
			if got := client.Type(ctx, key).Val(); got != typ {
				t.Fatalf("the %s key is now a %s", typ, got)
			}
			if ttl := client.TTL(ctx, key).Val(); ttl != -1 {
				t.Fatalf("the %s key got an expiry (%v) from a failed call", typ, ttl)
			}
		}
		s, _ := agentsession.New(store, typ, nil)
		if err := s.ClearSession(ctx); err != nil {
			t.Fatalf("ClearSession on a %s key: %v", typ, err)
		}
		if n := client.Exists(ctx, key).Val(); n != 0 {
			t.Fatalf("ClearSession left the %s key", typ)
		}
	}
}

func TestNilClient(t *testing.T) {
	var typedNil *redis.Client
	var clusterNil *redis.ClusterClient
	for _, c := range []redis.UniversalClient{nil, typedNil, clusterNil} {
		if b, err := redissession.New(c, nil); !errors.Is(err, redissession.ErrNilClient) || b != nil {
			t.Fatalf("New(%#v) = %v, %v; want nil, ErrNilClient", c, b, err)
		}
	}
}

// newSession makes a backend with its own key prefix on client, and the
// session id on it.
func newSession(t *testing.T, client redis.UniversalClient, id string, opts *agentsession.Options) (*redissession.Backend, *agentsession.Session) {
	t.Helper()
	store, err := redissession.New(client, &redissession.Options{KeyPrefix: sessiontest.UniquePrefix(t)})
	if err != nil {
		t.Fatal(err)
	}
	s, err := agentsession.New(store, id, opts)
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { client.Unlink(context.Background(), store.Key(id)) })
	return store, s
}

// items returns n small JSON objects.
func items(n int) []json.RawMessage {
	out := make([]json.RawMessage, n)
	for i := range out {
		out[i] = json.RawMessage(`{"role":"user","content":"hi"}`)
	}
	return out
}

// TestCorruptPlantedWithRawCommands damages a session with raw commands
// (LSET, RPUSH of non-JSON bytes): reads return the valid items and name the
// bad elements by their list index; pops hand back their bytes.
func TestCorruptPlantedWithRawCommands(t *testing.T) {
	ctx := t.Context()
	client := newClient(t)
	store, s := newSession(t, client, "damaged", nil)
	key := store.Key("damaged")
	if err := s.AddItems(ctx, items(4)); err != nil {
		t.Fatal(err)
	}
	client.LSet(ctx, key, 1, "\xff\x00binary")
	client.RPush(ctx, key, `{"truncated":`)

	got, err := s.GetItems(ctx, 0)
	var ce *agentsession.CorruptError
	if len(got) != 3 || !errors.As(err, &ce) || len(ce.Items) != 2 ||
		ce.Items[0].Index != 1 || string(ce.Items[0].Raw) != "\xff\x00binary" ||
		ce.Items[1].Index != 4 || string(ce.Items[1].Raw) != `{"truncated":` {
		t.Fatalf("GetItems() = %d items, %v; want 3 items and elements 1 and 4 reported", len(got), err)
	}
	// The indexes name the elements for LINDEX.
	if v := client.LIndex(ctx, key, int64(ce.Items[1].Index)).Val(); v != `{"truncated":` {
		t.Fatalf("LINDEX %d = %q", ce.Items[1].Index, v)
	}
	got, err = s.GetItems(ctx, 3)
	if len(got) != 3 || !errors.As(err, &ce) || len(ce.Items) != 2 || ce.Items[0].Index != -4 || ce.Items[1].Index != -1 {
		t.Fatalf("GetItems(3) = %d items, %v; want 3 items and elements -4 and -1 reported", len(got), err)
	}
	if v := client.LIndex(ctx, key, int64(ce.Items[0].Index)).Val(); v != "\xff\x00binary" {
		t.Fatalf("LINDEX %d = %q", ce.Items[0].Index, v)
	}
	item, err := s.PopItem(ctx)
	if item != nil || !errors.As(err, &ce) || string(ce.Items[0].Raw) != `{"truncated":` {
		t.Fatalf("PopItem() = %s, %v; want the damaged element's bytes in a CorruptError", item, err)
	}
	if n := client.LLen(ctx, key).Val(); n != 4 {
		t.Fatalf("LLEN after the pop = %d, want 4", n)
	}
}
