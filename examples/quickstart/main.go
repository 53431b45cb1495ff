// Command quickstart is the reference usage example of agentsession, in Go:
// it adds two items to a session, reads them all and the newest one, pops
// the newest and clears the session, printing each step.
//
// It uses the Redis server at AGENTSESSION_REDIS_URL (for example
// redis://localhost:6379/0) when that is set, and otherwise an in-process
// Redis (miniredis), so it runs with no server:
//
//	go run ./examples/quickstart
package main

import (
	"context"
	"encoding/json"
	"fmt"
	"io"
	"log"
	"os"
	"time"

	"github.com/agentsession/agentsession"
	"github.com/agentsession/agentsession/redissession"
	"github.com/alicebob/miniredis/v2"
	"github.com/redis/go-redis/v9"
)

func main() {
	log.SetFlags(0)
	client, where, err := connect()
	if err != nil {
		log.Fatalf("quickstart: %v", err)
	}
	defer client.Close()
	fmt.Println("Redis:", where)
	if err := run(context.Background(), os.Stdout, client); err != nil {
		log.Fatalf("quickstart: %v", err)
	}
}

// run is the example proper, on client.
func run(ctx context.Context, w io.Writer, client redis.UniversalClient) error {
	// Create the session: ID, client, key prefix and TTL, as in the reference.
	store, err := redissession.New(client, &redissession.Options{KeyPrefix: "myapp:sessions"})
	if err != nil {
		return err
	}
	session, err := agentsession.New(store, "user-123", &agentsession.Options{TTL: time.Hour})
	if err != nil {
		return err
	}
	fmt.Fprintln(w, "session:", session.SessionID(), "at key", store.Key(session.SessionID()))

	// Add items.
	err = session.AddItems(ctx, []json.RawMessage{
		json.RawMessage(`{"role": "user", "content": "Hello"}`),
		json.RawMessage(`{"role": "assistant", "content": "Hi there!"}`),
	})
	if err != nil {
		return err
	}
	fmt.Fprintln(w, "added 2 items")

	// Get items.
	items, err := session.GetItems(ctx, 0)
	if err != nil {
		return err
	}
	fmt.Fprintf(w, "GetItems(0): %s\n", items)

	// Get limited items.
	recent, err := session.GetItems(ctx, 1)
	if err != nil {
		return err
	}
	fmt.Fprintf(w, "GetItems(1): %s\n", recent)

	// Pop last item.
	last, err := session.PopItem(ctx)
	if err != nil {
		return err
	}
	fmt.Fprintf(w, "PopItem():   %s\n", last)

	// Clear session.
	if err := session.ClearSession(ctx); err != nil {
		return err
	}
	items, err = session.GetItems(ctx, 0)
	if err != nil {
		return err
	}
	fmt.Fprintf(w, "after ClearSession: %d items\n", len(items))
	return nil
}

// connect returns a client of AGENTSESSION_REDIS_URL, or of an in-process
// Redis when it is unset, and says which.
func connect() (*redis.Client, string, error) {
	if url := os.Getenv("AGENTSESSION_REDIS_URL"); url != "" {
		opts, err := redis.ParseURL(url)
		if err != nil {
			return nil, "", fmt.Errorf("AGENTSESSION_REDIS_URL: %w", err)
		}
		c := redis.NewClient(opts)
		if err := c.Ping(context.Background()).Err(); err != nil {
			c.Close()
			return nil, "", fmt.Errorf("redis at %s: %w", opts.Addr, err)
		}
		return c, opts.Addr + " (AGENTSESSION_REDIS_URL)", nil
	}
	srv, err := miniredis.Run()
	if err != nil {
		return nil, "", err
	}
	return redis.NewClient(&redis.Options{Addr: srv.Addr()}), "in-process (set AGENTSESSION_REDIS_URL to use a server)", nil
}
