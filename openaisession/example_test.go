package openaisession_test

import (
	"context"
	"encoding/json"
	"fmt"
	"log"

	"github.com/agentsession/agentsession/openaisession"
	"github.com/agentsession/agentsession/redissession"
	"github.com/alicebob/miniredis/v2"
	"github.com/openai/openai-go/v3/responses"
	"github.com/redis/go-redis/v9"
)

func ExampleNew() {
	srv, err := miniredis.Run() // an in-process Redis, so the example needs no server
	if err != nil {
		log.Fatal(err)
	}
	defer srv.Close()
	client := redis.NewClient(&redis.Options{Addr: srv.Addr()})
	defer client.Close()
	store, err := redissession.New(client, nil)
	if err != nil {
		log.Fatal(err)
	}

	ctx := context.Background()
	session, err := openaisession.New(store, "user-123", nil)
	if err != nil {
		log.Fatal(err)
	}
	err = session.AddItems(ctx, []responses.ResponseInputItemUnionParam{
		responses.ResponseInputItemParamOfMessage("What is 2+3?", responses.EasyInputMessageRoleUser),
	})
	if err != nil {
		log.Fatal(err)
	}
	items, err := session.GetItems(ctx, 0)
	if err != nil {
		log.Fatal(err)
	}
	fmt.Println(len(items), items[0].OfMessage.Content.OfString.Value)
	// Output: 1 What is 2+3?
}

// Decode keeps every field of an assistant's output message, which a plain
// json.Unmarshal into the union loses.
func ExampleDecode() {
	raw := json.RawMessage(`{"type":"message","id":"msg_1","role":"assistant","status":"completed","content":[{"type":"output_text","text":"5","annotations":[]}]}`)
	item, err := openaisession.Decode(raw)
	if err != nil {
		log.Fatal(err)
	}
	fmt.Println(item.OfOutputMessage.ID, item.OfOutputMessage.Status)

	var plain responses.ResponseInputItemUnionParam
	_ = json.Unmarshal(raw, &plain)
	fmt.Println(plain.OfOutputMessage == nil) // decoded as an easy message, id and status gone
	// Output:
	// msg_1 completed
	// true
}
