package pgsession_test

import (
	"context"
	"encoding/json"
	"fmt"
	"log"
	"os"
	"time"

	"github.com/agentsession/agentsession"
	"github.com/agentsession/agentsession/pgsession"
	"github.com/jackc/pgx/v5/pgxpool"
)

// The examples that need a PostgreSQL server have no Output comment: go test
// compiles them but does not run them.

func ExampleNew() {
	ctx := context.Background()
	pool, err := pgxpool.New(ctx, os.Getenv("DATABASE_URL")) // postgres://user:password@host/db
	if err != nil {
		log.Fatal(err)
	}
	defer pool.Close() // the backend never closes a pool it was given

	store, err := pgsession.New(pool, &pgsession.Options{TablePrefix: "chat_"})
	if err != nil {
		log.Fatal(err)
	}
	// Once, at deployment or start-up: CREATE TABLE IF NOT EXISTS ...
	if err := store.CreateSchema(ctx); err != nil {
		log.Fatal(err)
	}
	session, err := agentsession.New(store, "user-123", &agentsession.Options{TTL: 24 * time.Hour})
	if err != nil {
		log.Fatal(err)
	}
	if err := session.AddItems(ctx, []json.RawMessage{json.RawMessage(`{"role":"user","content":"Hello"}`)}); err != nil {
		log.Fatal(err)
	}
	items, err := session.GetItems(ctx, 10)
	if err != nil {
		log.Fatal(err)
	}
	fmt.Println(len(items))
}

func ExampleSchema() {
	// The SQL that CreateSchema runs, for a migration tool.
	sql, err := pgsession.Schema("chat_")
	if err != nil {
		log.Fatal(err)
	}
	fmt.Print(sql)
	// Output:
	// CREATE TABLE IF NOT EXISTS chat_sessions (
	//   id         BYTEA PRIMARY KEY,
	//   item_count BIGINT NOT NULL,
	//   expires_at TIMESTAMPTZ,
	//   updated_at TIMESTAMPTZ NOT NULL
	// );
	// CREATE INDEX IF NOT EXISTS chat_sessions_expiry ON chat_sessions (expires_at) WHERE expires_at IS NOT NULL;
	// CREATE TABLE IF NOT EXISTS chat_items (
	//   session_id BYTEA  NOT NULL,
	//   pos        BIGINT NOT NULL,
	//   data       BYTEA  NOT NULL,
	//   PRIMARY KEY (session_id, pos)
	// );
}

func ExampleBackend_Purge() {
	ctx := context.Background()
	store, err := agentsession.OpenStore(ctx, "postgres://app:secret@db.internal/app?table_prefix=chat_")
	if err != nil {
		log.Fatal(err)
	}
	defer store.Close() // closes the pool the URL opener made
	// Expired sessions read as empty already; Purge reclaims their rows.
	n, err := store.Backend.(*pgsession.Backend).Purge(ctx)
	if err != nil {
		log.Fatal(err)
	}
	log.Printf("purged %d expired sessions", n)
}
