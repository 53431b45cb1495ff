package memsession_test

import (
	"encoding/json"
	"testing"
	"time"

	"github.com/agentsession/agentsession"
	"github.com/agentsession/agentsession/memsession"
	"github.com/agentsession/agentsession/sessiontest"
)

func TestConformance(t *testing.T) {
	sessiontest.Run(t, func(t *testing.T) (agentsession.Backend, error) {
		return memsession.New(), nil
	})
}

func TestPurge(t *testing.T) {
	ctx := t.Context()
	b := memsession.New()
	short, _ := agentsession.New(b, "short", &agentsession.Options{TTL: 50 * time.Millisecond})
	kept, _ := agentsession.New(b, "kept", nil)
	for _, s := range []*agentsession.Session{short, kept} {
		if err := s.AddItems(ctx, []json.RawMessage{json.RawMessage(`{"a":1}`)}); err != nil {
			t.Fatal(err)
		}
	}
	if n, err := b.Purge(ctx); err != nil || n != 0 {
		t.Fatalf("Purge before expiry = %d, %v; want 0", n, err)
	}
	time.Sleep(100 * time.Millisecond)
	if n, err := b.Purge(ctx); err != nil || n != 1 {
		t.Fatalf("Purge after expiry = %d, %v; want 1", n, err)
	}
	page, _, err := b.List(ctx, "", 10)
	if err != nil || len(page) != 1 || page[0].ID != "kept" {
		t.Fatalf("List after Purge = %+v, %v", page, err)
	}
}

func TestItemsAreCopies(t *testing.T) {
	ctx := t.Context()
	b := memsession.New()
	item := []byte(`{"a":1}`)
	if err := b.Append(ctx, "s", [][]byte{item}, 0); err != nil {
		t.Fatal(err)
	}
	item[2] = 'X' // the caller's slice changes; the stored item must not
	got, _ := b.Items(ctx, "s", 0)
	got[0][2] = 'Y'
	again, _ := b.Items(ctx, "s", 0)
	if string(again[0]) != `{"a":1}` {
		t.Fatalf("stored item changed through a caller's slice: %s", again[0])
	}
}

func TestOpenStore(t *testing.T) {
	store, err := agentsession.OpenStore(t.Context(), "memory://")
	if err != nil {
		t.Fatal(err)
	}
	if _, ok := store.Backend.(*memsession.Backend); !ok {
		t.Fatalf("memory:// opened a %T", store.Backend)
	}
	if _, err := agentsession.OpenStore(t.Context(), "memory://?x=1"); err == nil {
		t.Fatal("memory:// with an unknown parameter: no error")
	}
}
