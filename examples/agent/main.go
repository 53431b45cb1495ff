// Command agent is a terminal chat on the OpenAI Responses API that keeps its
// conversation in an agentsession session, so that it survives restarts and
// can be shared by several copies of the program. It has one tool, a function
// that adds two numbers, to show function calls stored with the history.
//
//	export OPENAI_API_KEY=sk-...
//	go run ./examples/agent -store redis://localhost:6379/0 -session alice
//
// Each line you type is one turn. /history shows what is stored, /clear
// forgets it, /quit (or end of input) leaves. Without -store (or
// AGENTSESSION_REDIS_URL) it keeps the session in an in-process Redis, which
// ends with the program. OPENAI_BASE_URL points it at another endpoint.
//
// A turn is stored only when it completes: the user's message, every item the
// model produced and every tool output go into the session as one batch, so a
// failed API call leaves the history as it was.
package main

import (
	"bufio"
	"context"
	"encoding/json"
	"errors"
	"flag"
	"fmt"
	"io"
	"log"
	"os"
	"strings"

	"github.com/agentsession/agentsession"
	"github.com/agentsession/agentsession/openaisession"
	"github.com/agentsession/agentsession/redissession"
	"github.com/alicebob/miniredis/v2"
	"github.com/openai/openai-go/v3"
	"github.com/openai/openai-go/v3/option"
	"github.com/redis/go-redis/v9"
)

// config is what the flags set.
type config struct {
	store   string // Redis URL; "" for in-process
	session string
	model   string
	history int // items of history sent to the model; 0: all
	options []option.RequestOption
}

func main() {
	log.SetFlags(0)
	var cfg config
	flag.StringVar(&cfg.store, "store", os.Getenv("AGENTSESSION_REDIS_URL"), "Redis URL of the session store (default $AGENTSESSION_REDIS_URL, else in-process)")
	flag.StringVar(&cfg.session, "session", "terminal", "session ID: the conversation to continue")
	flag.StringVar(&cfg.model, "model", "gpt-5-mini", "model")
	flag.IntVar(&cfg.history, "history", 0, "send only the newest N items of history (0: all)")
	flag.Parse()
	if err := run(context.Background(), cfg, os.Stdin, os.Stdout, os.Stderr); err != nil {
		log.Fatalf("agent: %v", err)
	}
}

// run is the program: it opens the session and chats over in and out until
// in ends or /quit.
func run(ctx context.Context, cfg config, in io.Reader, out, errOut io.Writer) error {
	client, where, err := connect(cfg.store)
	if err != nil {
		return err
	}
	defer client.Close()
	store, err := redissession.New(client, &redissession.Options{KeyPrefix: "agentsession:agent"})
	if err != nil {
		return err
	}
	session, err := openaisession.New(store, cfg.session, nil)
	if err != nil {
		return err
	}
	a := &agent{client: openai.NewClient(cfg.options...), session: session, model: cfg.model, history: cfg.history}
	if os.Getenv("OPENAI_API_KEY") == "" && len(cfg.options) == 0 {
		fmt.Fprintln(errOut, "warning: OPENAI_API_KEY is not set; the API will refuse the requests")
	}

	stored, err := session.GetItems(ctx, 0)
	if err != nil {
		return err
	}
	fmt.Fprintf(out, "session %q in %s: %d items stored. /history, /clear, /quit\n", cfg.session, where, len(stored))
	lines := bufio.NewScanner(in)
	for {
		fmt.Fprint(out, "> ")
		if !lines.Scan() {
			fmt.Fprintln(out)
			return lines.Err()
		}
		line := strings.TrimSpace(lines.Text())
		switch line {
		case "":
			continue
		case "/quit":
			return nil
		case "/clear":
			if err := session.ClearSession(ctx); err != nil {
				return err
			}
			fmt.Fprintln(out, "(history cleared)")
			continue
		case "/history":
			if err := printHistory(ctx, session, out); err != nil {
				return err
			}
			continue
		}
		reply, err := a.turn(ctx, line)
		if err != nil {
			// The turn was not stored; the user can try again.
			var apiErr *openai.Error
			if errors.As(err, &apiErr) && apiErr.Message != "" {
				fmt.Fprintf(errOut, "error: %v: %s (nothing stored; try again)\n", err, apiErr.Message)
			} else {
				fmt.Fprintf(errOut, "error: %v (nothing stored; try again)\n", err)
			}
			continue
		}
		fmt.Fprintln(out, reply)
	}
}

// connect returns a client of the Redis at url, or of an in-process Redis when
// url is empty, and says which.
func connect(url string) (*redis.Client, string, error) {
	if url != "" {
		opts, err := redis.ParseURL(url)
		if err != nil {
			return nil, "", fmt.Errorf("-store: %w", err)
		}
		return redis.NewClient(opts), "Redis at " + opts.Addr, nil
	}
	srv, err := miniredis.Run()
	if err != nil {
		return nil, "", err
	}
	return redis.NewClient(&redis.Options{Addr: srv.Addr()}), "an in-process Redis (gone when the program ends; use -store)", nil
}

func printHistory(ctx context.Context, s *openaisession.Session, out io.Writer) error {
	items, err := s.GetItems(ctx, 0)
	var corrupt *agentsession.CorruptError
	if err != nil && !errors.As(err, &corrupt) {
		return err
	}
	for i, it := range items {
		b, _ := json.Marshal(it)
		fmt.Fprintf(out, "%3d %s\n", i, b)
	}
	if corrupt != nil {
		fmt.Fprintf(out, "(%d damaged elements skipped)\n", len(corrupt.Items))
	}
	return nil
}
