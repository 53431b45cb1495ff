package redissession_test

import (
	"context"
	"encoding/json"
	"fmt"
	"log"
	"time"

	"github.com/agentsession/agentsession"
	"github.com/agentsession/agentsession/redissession"
	"github.com/alicebob/miniredis/v2"
	"github.com/redis/go-redis/v9"
)

func ExampleNew() {
	srv, err := miniredis.Run() // an in-process Redis, so the example needs no server
	if err != nil {
		log.Fatal(err)
	}
	defer srv.Close()

	// Any redis.UniversalClient: redis.NewClient, redis.NewFailoverClient
	// (Sentinel) or redis.NewClusterClient. The backend never closes it.
	client := redis.NewUniversalClient(&redis.UniversalOptions{Addrs: []string{srv.Addr()}})
	defer client.Close()

	store, err := redissession.New(client, nil) // nil: the default key prefix
	if err != nil {
		log.Fatal(err)
	}
	session, err := agentsession.New(store, "user-123", &agentsession.Options{TTL: time.Hour})
	if err != nil {
		log.Fatal(err)
	}
	ctx := context.Background()
	if err := session.AddItems(ctx, []json.RawMessage{json.RawMessage(`{"role": "user", "content": "Hello"}`)}); err != nil {
		log.Fatal(err)
	}

	// The reference layout: one list per session, one JSON object per element.
	key := store.Key("user-123")
	fmt.Println(key, client.Type(ctx, key).Val(), client.LRange(ctx, key, 0, -1).Val(), client.TTL(ctx, key).Val())
	// Output:
	// openai_agents_session:user-123 list [{"role":"user","content":"Hello"}] 1h0m0s
}
