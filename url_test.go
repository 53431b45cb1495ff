package agentsession_test

import (
	"context"
	"errors"
	"net/url"
	"slices"
	"strings"
	"testing"
	"time"

	"github.com/agentsession/agentsession"
	_ "github.com/agentsession/agentsession/memsession" // registers memory://
)

func TestOpenStoreMemory(t *testing.T) {
	ctx := t.Context()
	store, err := agentsession.OpenStore(ctx, "memory://?ttl=1h&sliding_ttl=true")
	if err != nil {
		t.Fatal(err)
	}
	defer store.Close()
	if store.Options != (agentsession.Options{TTL: time.Hour, SlidingTTL: true}) {
		t.Fatalf("Options = %+v", store.Options)
	}
	s, err := store.Session("a")
	if err != nil {
		t.Fatal(err)
	}
	if err := s.AddItems(ctx, nil); err != nil {
		t.Fatal(err)
	}
	if !slices.Contains(agentsession.Schemes(), "memory") {
		t.Fatalf("Schemes() = %v, want memory among them", agentsession.Schemes())
	}
}

func TestOpenStoreErrors(t *testing.T) {
	ctx := t.Context()
	for _, tc := range []struct {
		url  string
		want error
		text string
	}{
		{"nosuch://x", agentsession.ErrUnknownScheme, "nosuch"},
		{"memory://?ttl=-1s", agentsession.ErrInvalidTTL, "negative"},
		{"memory://?sliding_ttl=true", agentsession.ErrInvalidOptions, "SlidingTTL"},
		{"memory://?ttl=abc", nil, "ttl"},
		{"memory://?sliding_ttl=maybe", nil, "sliding_ttl"},
		{"memory://?colour=blue", nil, "colour"},
		{"://bad", nil, "invalid URL"},
	} {
		_, err := agentsession.OpenStore(ctx, tc.url)
		if err == nil || (tc.want != nil && !errors.Is(err, tc.want)) || !strings.Contains(err.Error(), tc.text) {
			t.Errorf("OpenStore(%q) = %v; want an error matching %v and naming %q", tc.url, err, tc.want, tc.text)
		}
	}
}

func TestRegisterPanics(t *testing.T) {
	open := func(context.Context, *url.URL) (agentsession.Backend, error) { return nil, nil }
	for name, f := range map[string]func(){
		"duplicate": func() { agentsession.Register("memory", open) },
		"nil":       func() { agentsession.Register("agentsession-test-nil", nil) },
	} {
		func() {
			defer func() {
				if recover() == nil {
					t.Errorf("Register (%s) did not panic", name)
				}
			}()
			f()
		}()
	}
}

func TestRedact(t *testing.T) {
	got := agentsession.Redact("redis://user:s3cret@host:6379/0")
	if strings.Contains(got, "s3cret") || !strings.Contains(got, "host:6379") {
		t.Fatalf("Redact = %q", got)
	}
}
