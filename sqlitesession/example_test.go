package sqlitesession_test

import (
	"context"
	"encoding/json"
	"fmt"
	"log"
	"os"
	"path/filepath"
	"time"

	"github.com/agentsession/agentsession"
	"github.com/agentsession/agentsession/sqlitesession"
)

func ExampleOpen() {
	dir, err := os.MkdirTemp("", "sqlitesession-example")
	if err != nil {
		log.Fatal(err)
	}
	defer os.RemoveAll(dir)

	ctx := context.Background()
	// Opens (creating it, its directory and the tables) the database file.
	store, err := sqlitesession.Open(ctx, filepath.Join(dir, "data", "sessions.db"), nil)
	if err != nil {
		log.Fatal(err)
	}
	defer store.Close()

	session, err := agentsession.New(store, "user-123", &agentsession.Options{TTL: 24 * time.Hour})
	if err != nil {
		log.Fatal(err)
	}
	err = session.AddItems(ctx, []json.RawMessage{
		json.RawMessage(`{"role": "user", "content": "Hello"}`),
		json.RawMessage(`{"role": "assistant", "content": "Hi! How can I help?"}`),
	})
	if err != nil {
		log.Fatal(err)
	}
	items, err := session.GetItems(ctx, 1) // the newest item
	if err != nil {
		log.Fatal(err)
	}
	fmt.Printf("%s\n", items)

	page, _, err := store.List(ctx, "", 10)
	if err != nil {
		log.Fatal(err)
	}
	for _, info := range page {
		fmt.Println(info.ID, info.Items, info.TTL.Round(time.Hour))
	}
	// Output:
	// [{"role":"assistant","content":"Hi! How can I help?"}]
	// user-123 2 24h0m0s
}

func ExampleBackend_Purge() {
	dir, err := os.MkdirTemp("", "sqlitesession-example")
	if err != nil {
		log.Fatal(err)
	}
	defer os.RemoveAll(dir)

	ctx := context.Background()
	store, err := agentsession.OpenStore(ctx, "sqlite://"+filepath.ToSlash(filepath.Join(dir, "sessions.db"))+"?ttl=1ms")
	if err != nil {
		log.Fatal(err)
	}
	defer store.Close()
	session, err := store.Session("short-lived")
	if err != nil {
		log.Fatal(err)
	}
	if err := session.AddItems(ctx, []json.RawMessage{json.RawMessage(`{"role":"user","content":"Hi"}`)}); err != nil {
		log.Fatal(err)
	}
	time.Sleep(2 * time.Millisecond) // the TTL passes

	// Expired sessions read as empty at once; Purge deletes their rows.
	n, err := store.Backend.(*sqlitesession.Backend).Purge(ctx)
	if err != nil {
		log.Fatal(err)
	}
	fmt.Println("purged", n)
	// Output:
	// purged 1
}
