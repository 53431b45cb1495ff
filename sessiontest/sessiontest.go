// Package sessiontest is the conformance suite for agentsession backends.
// Every backend's tests call Run, which checks, through agentsession.Session,
// each behaviour that the project's specification requires of a session
// store: ordering, limits, all-or-nothing batches, bad input, damaged stored
// elements, session ID isolation, TTLs, contexts, concurrency and listing.
//
//	func TestConformance(t *testing.T) {
//		sessiontest.Run(t, func(t *testing.T) (agentsession.Backend, error) {
//			return mybackend.New(...) // fresh and isolated for each call
//		})
//	}
//
// The suite finds optional capabilities (agentsession.Refresher,
// agentsession.Lister, agentsession.Expirer) by type assertion and checks the error a backend
// without them must give. It imports
// no backend.
package sessiontest

import (
	"context"
	"crypto/rand"
	"encoding/hex"
	"encoding/json"
	"fmt"
	"strings"
	"testing"

	"github.com/agentsession/agentsession"
)

// Factory returns a fresh Backend for one subtest, isolated from every other
// Backend it returns (for example by a key prefix from UniquePrefix). It may
// register cleanups on t.
type Factory func(t *testing.T) (agentsession.Backend, error)

// Run runs the conformance suite against the backends that newBackend makes.
// Its subtests run in parallel; some wait for TTLs to pass, so the whole suite
// takes a few seconds.
func Run(t *testing.T, newBackend Factory) {
	t.Helper()
	h := &harness{newBackend: newBackend}
	groups := []struct {
		name  string
		tests []test
	}{
		{"Items", itemTests},
		{"BadInput", badInputTests},
		{"SessionIDs", idTests},
		{"Corrupt", corruptTests},
		{"TTL", ttlTests},
		{"Context", contextTests},
		{"Concurrency", concurrencyTests},
		{"List", listTests},
		{"Expiry", expiryTests},
	}
	for _, g := range groups {
		t.Run(g.name, func(t *testing.T) {
			t.Parallel()
			for _, tc := range g.tests {
				t.Run(tc.name, func(t *testing.T) {
					t.Parallel()
					tc.run(t, h)
				})
			}
		})
	}
}

// UniquePrefix returns a name, such as a Redis key prefix or table prefix, that
// no other test and no earlier run uses: "agentsession-test:{test name}:{random}".
func UniquePrefix(t testing.TB) string {
	var b [6]byte
	if _, err := rand.Read(b[:]); err != nil {
		t.Fatal(err)
	}
	name := strings.NewReplacer(" ", "_", "/", ".").Replace(t.Name())
	return "agentsession-test:" + name + ":" + hex.EncodeToString(b[:])
}

type test struct {
	name string
	run  func(t *testing.T, h *harness)
}

type harness struct {
	newBackend Factory
}

// backend returns a fresh backend or stops t.
func (h *harness) backend(t *testing.T) agentsession.Backend {
	t.Helper()
	b, err := h.newBackend(t)
	if err != nil {
		t.Fatalf("making a backend: %v", err)
	}
	if b == nil {
		t.Fatal("the factory returned a nil backend and no error")
	}
	return b
}

// session returns a session named id on a fresh backend.
func (h *harness) session(t *testing.T, id string, opts *agentsession.Options) *agentsession.Session {
	t.Helper()
	return mustNew(t, h.backend(t), id, opts)
}

func mustNew(t *testing.T, b agentsession.Backend, id string, opts *agentsession.Options) *agentsession.Session {
	t.Helper()
	s, err := agentsession.New(b, id, opts)
	if err != nil {
		t.Fatalf("agentsession.New(%q): %v", id, err)
	}
	return s
}

// items makes n compact JSON objects {"role":"user","content":"{tag} {i}"}.
func items(tag string, n int) []json.RawMessage {
	out := make([]json.RawMessage, n)
	for i := range out {
		content, _ := json.Marshal(fmt.Sprintf("%s %d", tag, i)) // a string always marshals
		out[i] = json.RawMessage(`{"role":"user","content":` + string(content) + `}`)
	}
	return out
}

func add(t *testing.T, s *agentsession.Session, items []json.RawMessage) {
	t.Helper()
	if err := s.AddItems(t.Context(), items); err != nil {
		t.Fatalf("AddItems: %v", err)
	}
}

func get(t *testing.T, s *agentsession.Session, limit int) []json.RawMessage {
	t.Helper()
	got, err := s.GetItems(t.Context(), limit)
	if err != nil {
		t.Fatalf("GetItems(%d): %v", limit, err)
	}
	return got
}

// wantItems fails t unless got and want hold the same bytes in the same order.
func wantItems(t *testing.T, what string, got, want []json.RawMessage) {
	t.Helper()
	if len(got) != len(want) {
		t.Fatalf("%s: got %d items, want %d\ngot:  %s\nwant: %s", what, len(got), len(want), show(got), show(want))
	}
	for i := range got {
		if string(got[i]) != string(want[i]) {
			t.Fatalf("%s: item %d is %s, want %s\ngot:  %s\nwant: %s", what, i, got[i], want[i], show(got), show(want))
		}
	}
}

func show(items []json.RawMessage) string {
	const max = 8
	parts := make([]string, 0, max+1)
	for i, it := range items {
		if i == max {
			parts = append(parts, fmt.Sprintf("... (%d in all)", len(items)))
			break
		}
		parts = append(parts, string(it))
	}
	return "[" + strings.Join(parts, " ") + "]"
}

// canceled returns a context that has already ended.
func canceled() context.Context {
	ctx, cancel := context.WithCancel(context.Background())
	cancel()
	return ctx
}
