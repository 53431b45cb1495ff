package agentsession_test

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"log"
	"time"

	"github.com/agentsession/agentsession"
	"github.com/agentsession/agentsession/redissession"
	"github.com/alicebob/miniredis/v2"
	"github.com/redis/go-redis/v9"
)

// newStore returns a Redis backend on an in-process Redis (miniredis), so the
// examples run without a server; use a real client in an application.
func newStore() (*redissession.Backend, func()) {
	srv, err := miniredis.Run()
	if err != nil {
		log.Fatal(err)
	}
	client := redis.NewClient(&redis.Options{Addr: srv.Addr()})
	store, err := redissession.New(client, &redissession.Options{KeyPrefix: "myapp:sessions"})
	if err != nil {
		log.Fatal(err)
	}
	return store, func() { client.Close(); srv.Close() }
}

// The reference design's usage example: add two items, read them all and the
// newest one, pop the newest, clear the session.
func Example() {
	ctx := context.Background()
	store, done := newStore() // redissession.New(client, &redissession.Options{KeyPrefix: "myapp:sessions"})
	defer done()

	session, err := agentsession.New(store, "user-123", &agentsession.Options{TTL: time.Hour})
	if err != nil {
		log.Fatal(err)
	}
	err = session.AddItems(ctx, []json.RawMessage{
		json.RawMessage(`{"role": "user", "content": "Hello"}`),
		json.RawMessage(`{"role": "assistant", "content": "Hi there!"}`),
	})
	if err != nil {
		log.Fatal(err)
	}
	items, err := session.GetItems(ctx, 0)
	if err != nil {
		log.Fatal(err)
	}
	fmt.Printf("all: %s\n", items)

	recent, err := session.GetItems(ctx, 1)
	if err != nil {
		log.Fatal(err)
	}
	fmt.Printf("recent: %s\n", recent)

	last, err := session.PopItem(ctx)
	if err != nil {
		log.Fatal(err)
	}
	fmt.Printf("popped: %s\n", last)

	if err := session.ClearSession(ctx); err != nil {
		log.Fatal(err)
	}
	items, _ = session.GetItems(ctx, 0)
	fmt.Println("after clear:", len(items), "items")
	// Output:
	// all: [{"role":"user","content":"Hello"} {"role":"assistant","content":"Hi there!"}]
	// recent: [{"role":"assistant","content":"Hi there!"}]
	// popped: {"role":"assistant","content":"Hi there!"}
	// after clear: 0 items
}

func ExampleNew() {
	store, done := newStore()
	defer done()

	// One backend serves every session; a Session is cheap, one per conversation.
	session, err := agentsession.New(store, "user-123", &agentsession.Options{TTL: 24 * time.Hour})
	if err != nil {
		log.Fatal(err)
	}
	fmt.Println(session.SessionID(), "is stored at", store.Key(session.SessionID()))

	_, err = agentsession.New(store, "", nil)
	fmt.Println(errors.Is(err, agentsession.ErrInvalidID), err)
	_, err = agentsession.New(store, "user-123", &agentsession.Options{TTL: -time.Second})
	fmt.Println(errors.Is(err, agentsession.ErrInvalidTTL), err)
	// Output:
	// user-123 is stored at myapp:sessions:user-123
	// true agentsession: invalid session ID: empty
	// true agentsession: invalid TTL: -1s is negative (use 0 for no expiry)
}

func ExampleSession_AddItems() {
	ctx := context.Background()
	store, done := newStore()
	defer done()
	session, err := agentsession.New(store, "user-123", nil)
	if err != nil {
		log.Fatal(err)
	}

	// A batch with an item that is not a JSON object is rejected whole.
	err = session.AddItems(ctx, []json.RawMessage{
		json.RawMessage(`{"role":"user","content":"Hello"}`),
		json.RawMessage(`["not", "an", "object"]`),
	})
	var itemErr *agentsession.ItemError
	if errors.As(err, &itemErr) {
		fmt.Println("rejected item", itemErr.Index, "-", err)
	}
	items, _ := session.GetItems(ctx, 0)
	fmt.Println("stored:", len(items))
	// Output:
	// rejected item 1 - agentsession: add items to session "user-123": item 1: a JSON array, not an object
	// stored: 0
}

func ExampleSession_GetItems() {
	ctx := context.Background()
	store, done := newStore()
	defer done()
	session, err := agentsession.New(store, "user-123", nil)
	if err != nil {
		log.Fatal(err)
	}
	for _, text := range []string{"one", "two", "three"} {
		item := json.RawMessage(fmt.Sprintf(`{"role":"user","content":%q}`, text))
		if err := session.AddItems(ctx, []json.RawMessage{item}); err != nil {
			log.Fatal(err)
		}
	}
	all, _ := session.GetItems(ctx, 0)    // every item, oldest first
	latest, _ := session.GetItems(ctx, 2) // the 2 newest, still oldest first
	fmt.Printf("%s\n%s\n", all, latest)
	// Output:
	// [{"role":"user","content":"one"} {"role":"user","content":"two"} {"role":"user","content":"three"}]
	// [{"role":"user","content":"two"} {"role":"user","content":"three"}]
}

func ExampleSession_PopItem() {
	ctx := context.Background()
	store, done := newStore()
	defer done()
	session, err := agentsession.New(store, "user-123", nil)
	if err != nil {
		log.Fatal(err)
	}
	if err := session.AddItems(ctx, []json.RawMessage{json.RawMessage(`{"role":"user","content":"Hello"}`)}); err != nil {
		log.Fatal(err)
	}
	item, err := session.PopItem(ctx)
	fmt.Printf("%s %v\n", item, err)
	item, err = session.PopItem(ctx) // empty now: nil, not an error
	fmt.Println(item == nil, err)
	// Output:
	// {"role":"user","content":"Hello"} <nil>
	// true <nil>
}

func ExampleSession_ClearSession() {
	ctx := context.Background()
	store, done := newStore()
	defer done()
	session, err := agentsession.New(store, "user-123", nil)
	if err != nil {
		log.Fatal(err)
	}
	if err := session.AddItems(ctx, []json.RawMessage{json.RawMessage(`{"role":"user","content":"Hello"}`)}); err != nil {
		log.Fatal(err)
	}
	fmt.Println(session.ClearSession(ctx))
	fmt.Println(session.ClearSession(ctx)) // clearing an empty session is fine
	// Output:
	// <nil>
	// <nil>
}

// A stored element that is not a JSON object, here written by another
// program, does not stop the session: reads return the valid items and
// report the bad ones.
func ExampleCorruptError() {
	ctx := context.Background()
	store, done := newStore()
	defer done()
	session, err := agentsession.New(store, "user-123", nil)
	if err != nil {
		log.Fatal(err)
	}
	// Backend.Append stores bytes unchecked, as another program might.
	if err := store.Append(ctx, "user-123", [][]byte{[]byte(`{"role":"user","content":"Hello"}`), []byte(`garbage`)}, 0); err != nil {
		log.Fatal(err)
	}
	items, err := session.GetItems(ctx, 0)
	var corrupt *agentsession.CorruptError
	if errors.As(err, &corrupt) {
		for _, bad := range corrupt.Items {
			fmt.Printf("bad element at index %d: %q\n", bad.Index, bad.Raw)
		}
	}
	fmt.Printf("valid items: %s\n", items)
	// Output:
	// bad element at index 1: "garbage"
	// valid items: [{"role":"user","content":"Hello"}]
}
