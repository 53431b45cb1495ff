package redissession_test

import (
	"context"
	"errors"
	"net/url"
	"strings"
	"testing"
	"time"

	"github.com/agentsession/agentsession"
	"github.com/agentsession/agentsession/internal/testenv"
	"github.com/agentsession/agentsession/redissession"
	"github.com/agentsession/agentsession/sessiontest"
)

// TestOpenStore opens the test server by URL, with a key prefix and a TTL, and
// checks that sessions land where the URL says.
func TestOpenStore(t *testing.T) {
	ctx := t.Context()
	client := newClient(t)
	base := testenv.Get(t, "AGENTSESSION_REDIS_URL", "a redis-server")
	prefix := sessiontest.UniquePrefix(t)
	u, err := url.Parse(base)
	if err != nil {
		t.Fatal(err)
	}
	q := u.Query()
	q.Set("key_prefix", prefix)
	q.Set("ttl", "90s")
	q.Set("dial_timeout", "2s") // go-redis's own parameter passes through
	q.Set("auto_pipeline", "true")
	q.Set("watch_context", "true")
	u.RawQuery = q.Encode()

	store, err := agentsession.OpenStore(ctx, u.String())
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { store.Close() })
	if store.Options.TTL != 90*time.Second {
		t.Fatalf("Options.TTL = %v, want 90s", store.Options.TTL)
	}
	s, err := store.Session("by-url")
	if err != nil {
		t.Fatal(err)
	}
	if err := s.AddItems(ctx, items(1)); err != nil {
		t.Fatal(err)
	}
	key := prefix + ":by-url"
	t.Cleanup(func() { client.Unlink(context.Background(), key) })
	if ttl := client.TTL(ctx, key).Val(); ttl <= 80*time.Second || ttl > 90*time.Second {
		t.Fatalf("TTL of %s = %v, want about 90s", key, ttl)
	}
	if err := store.Close(); err != nil {
		t.Fatal(err)
	}
	// Closing the store closed the client it made, not the test's.
	if err := client.Ping(ctx).Err(); err != nil {
		t.Fatal(err)
	}
}

func TestOpenStoreErrors(t *testing.T) {
	ctx := t.Context()
	for _, tc := range []struct {
		url, want string
	}{
		{"redis://127.0.0.1:1/0?nosuch=1", "nosuch"},
		{"redis://127.0.0.1:1/0?ttl=soon", "ttl"},
		{"redis+sentinel://127.0.0.1:1", "master_name"},
		{"redis://127.0.0.1:1/0?ttl=-5s", "negative"},
		{"redis://127.0.0.1:1/0?auto_pipeline=maybe", "auto_pipeline"},
		{"redis://127.0.0.1:1/0?watch_context=2", "watch_context"},
	} {
		store, err := agentsession.OpenStore(ctx, tc.url)
		if err == nil {
			store.Close()
			t.Fatalf("OpenStore(%s): no error", tc.url)
		}
		if !strings.Contains(err.Error(), tc.want) {
			t.Fatalf("OpenStore(%s) error %q does not mention %q", tc.url, err, tc.want)
		}
	}
	_, err := agentsession.OpenStore(ctx, "redis://user:s3cret@127.0.0.1:1/0?bogus=1")
	if err == nil || strings.Contains(err.Error(), "s3cret") {
		t.Fatalf("an error shows the password, or there is none: %v", err)
	}
	if _, err := agentsession.OpenStore(ctx, "nosuchscheme://x"); !errors.Is(err, agentsession.ErrUnknownScheme) {
		t.Fatalf("unknown scheme: %v", err)
	}
}

// TestListEscapesPrefix lists a backend whose prefix holds glob characters:
// it sees its own sessions and none of a prefix the pattern would match.
func TestListEscapesPrefix(t *testing.T) {
	ctx := t.Context()
	client := newClient(t)
	base := sessiontest.UniquePrefix(t)
	globby, err := redissession.New(client, &redissession.Options{KeyPrefix: base + ":a*[b]?"})
	if err != nil {
		t.Fatal(err)
	}
	other, err := redissession.New(client, &redissession.Options{KeyPrefix: base + ":aXbY"})
	if err != nil {
		t.Fatal(err)
	}
	for _, b := range []*redissession.Backend{globby, other} {
		s, err := agentsession.New(b, "s", nil)
		if err != nil {
			t.Fatal(err)
		}
		if err := s.AddItems(ctx, items(2)); err != nil {
			t.Fatal(err)
		}
		t.Cleanup(func() { client.Unlink(context.Background(), b.Key("s")) })
	}
	page, next, err := agentsession.List(ctx, globby, "", 10)
	if err != nil || next != "" || len(page) != 1 || page[0].ID != "s" || page[0].Items != 2 {
		t.Fatalf("List = %+v, %q, %v; want the one session of its own prefix", page, next, err)
	}
}

func TestListBadCursor(t *testing.T) {
	b, err := redissession.New(newClient(t), &redissession.Options{KeyPrefix: sessiontest.UniquePrefix(t)})
	if err != nil {
		t.Fatal(err)
	}
	for _, c := range []string{"garbage!", "eyJuIjo5LCJrIjpbIllRPT0iXX0"} { // the second: node 9 with a pending key
		if _, _, err := b.List(t.Context(), c, 10); err == nil {
			t.Errorf("List with cursor %q: no error", c)
		}
	}
}
