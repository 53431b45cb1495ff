package main

import (
	"bufio"
	"bytes"
	"context"
	"encoding/json"
	"errors"
	"flag"
	"fmt"
	"io"
	"os"
	"strings"
	"text/tabwriter"
	"time"

	"github.com/agentsession/agentsession"
)

// Flags of the commands that have their own.
var (
	flagJSON  bool
	flagLimit int
	flagAll   bool
	flagYes   bool
	flagID    string
	flagCur   string
)

var commands = []command{
	{
		name: "where", summary: "Print the store URL in use (password hidden) and, for the default, its file.",
		example: "agentsession where",
		run:     runWhere,
	},
	{
		name: "demo", args: "", summary: "Run the reference usage example end to end: add two items, get all, get the\nnewest, pop, clear, printing each step.",
		example: "agentsession demo --store memory://",
		flags: func(fs *flag.FlagSet) {
			fs.StringVar(&flagID, "session", "demo", "session ID to use (it is cleared at the end)")
		},
		run: runDemo,
	},
	{
		name: "ls", summary: "List the sessions: ID, item count, TTL left and last update.",
		example: "agentsession ls --limit 20",
		flags: func(fs *flag.FlagSet) {
			fs.IntVar(&flagLimit, "limit", 50, "sessions per page")
			fs.BoolVar(&flagAll, "all", false, "list every page, not just the first")
			fs.StringVar(&flagCur, "cursor", "", "start at this page (printed at the end of the one before)")
			fs.BoolVar(&flagJSON, "json", false, "one JSON object per session")
		},
		run: runLs,
	},
	{
		name: "show", args: "ID", summary: "Show a session's items: role and text of messages, tool calls summarised.",
		example: "agentsession show user-123 --limit 10",
		flags: func(fs *flag.FlagSet) {
			fs.IntVar(&flagLimit, "limit", 0, "only the newest N items (0: all)")
			fs.BoolVar(&flagJSON, "json", false, "the items as JSON, one per line")
		},
		run: onSession(runShow),
	},
	{
		name: "add", args: "ID", summary: "Add items read from stdin: one JSON object, a JSON array of them, or JSON Lines.\nThey are added as one batch: all of them or, on any error, none.",
		example: `echo '{"role":"user","content":"Hello"}' | agentsession add user-123`,
		run:     runAdd,
	},
	{
		name: "pop", args: "ID", summary: "Remove the newest item of a session and print it.",
		example: "agentsession pop user-123",
		run:     onSession(runPop),
	},
	{
		name: "clear", args: "ID", summary: "Delete every item of a session. Asks first on a terminal, unless --yes.",
		example: "agentsession clear user-123 --yes",
		flags:   func(fs *flag.FlagSet) { fs.BoolVar(&flagYes, "yes", false, "do not ask") },
		run:     runClear,
	},
}

func runWhere(_ context.Context, e *env, _ *flag.FlagSet, args []string) error {
	if len(args) > 0 {
		return usagef("no arguments expected")
	}
	u, err := e.storeURL()
	if err != nil {
		return err
	}
	fmt.Fprintln(e.stdout, agentsession.Redact(u))
	return nil
}

// oneID checks that args is exactly one session ID.
func oneID(args []string) (string, error) {
	switch {
	case len(args) == 0:
		return "", usagef("missing the session ID")
	case len(args) > 1:
		return "", usagef("one session ID expected, got %d arguments", len(args))
	}
	return args[0], nil
}

// session opens the store and the session id in it; close the store after.
func (e *env) session(ctx context.Context, id string) (*agentsession.Store, *agentsession.Session, error) {
	st, err := e.open(ctx)
	if err != nil {
		return nil, nil, err
	}
	s, err := st.Session(id)
	if err != nil {
		st.Close()
		return nil, nil, err
	}
	return st, s, nil
}

func runDemo(ctx context.Context, e *env, _ *flag.FlagSet, args []string) error {
	if len(args) > 0 {
		return usagef("no arguments expected")
	}
	u, err := e.storeURL()
	if err != nil {
		return err
	}
	st, s, err := e.session(ctx, flagID)
	if err != nil {
		return err
	}
	defer st.Close()
	w := e.stdout
	fmt.Fprintf(w, "store:   %s\nsession: %s\n\n", agentsession.Redact(u), s.SessionID())
	items := []json.RawMessage{
		json.RawMessage(`{"role": "user", "content": "Hello"}`),
		json.RawMessage(`{"role": "assistant", "content": "Hi there!"}`),
	}
	fmt.Fprintf(w, "1. add_items:       %s\n", items)
	if err := s.AddItems(ctx, items); err != nil {
		return err
	}
	all, err := s.GetItems(ctx, 0)
	if err != nil {
		return err
	}
	fmt.Fprintf(w, "2. get_items():     %s\n", all)
	recent, err := s.GetItems(ctx, 1)
	if err != nil {
		return err
	}
	fmt.Fprintf(w, "3. get_items(1):    %s\n", recent)
	last, err := s.PopItem(ctx)
	if err != nil {
		return err
	}
	fmt.Fprintf(w, "4. pop_item():      %s\n", last)
	if err := s.ClearSession(ctx); err != nil {
		return err
	}
	left, err := s.GetItems(ctx, 0)
	if err != nil {
		return err
	}
	fmt.Fprintf(w, "5. clear_session(): %d items left\n", len(left))
	return nil
}

func runLs(ctx context.Context, e *env, _ *flag.FlagSet, args []string) error {
	if len(args) > 0 {
		return usagef("no arguments expected")
	}
	if flagLimit <= 0 {
		return usagef("--limit must be positive")
	}
	st, err := e.open(ctx)
	if err != nil {
		return err
	}
	defer st.Close()
	tw := tabwriter.NewWriter(e.stdout, 0, 4, 2, ' ', 0)
	if !flagJSON {
		fmt.Fprintln(tw, "ID\tITEMS\tTTL\tUPDATED")
	}
	enc := json.NewEncoder(e.stdout)
	cursor := flagCur
	for {
		page, next, err := agentsession.List(ctx, st.Backend, cursor, flagLimit)
		if err != nil {
			return err
		}
		for _, info := range page {
			if flagJSON {
				if err := enc.Encode(lsJSON(info)); err != nil {
					return err
				}
				continue
			}
			ttl, updated := "-", "-"
			if info.TTL > 0 {
				ttl = info.TTL.Round(time.Second).String()
			}
			if !info.UpdatedAt.IsZero() {
				updated = info.UpdatedAt.Local().Format(time.DateTime)
			}
			fmt.Fprintf(tw, "%s\t%d\t%s\t%s\n", printable(info.ID), info.Items, ttl, updated)
		}
		if next == "" || !flagAll {
			tw.Flush()
			if next != "" {
				fmt.Fprintf(e.stderr, "(more sessions: --cursor %s for the next page, or --all)\n", next)
			}
			return nil
		}
		cursor = next
	}
}

// lsJSON is one line of "ls --json".
func lsJSON(info agentsession.SessionInfo) any {
	v := struct {
		ID         string     `json:"id"`
		Items      int        `json:"items"`
		TTLSeconds float64    `json:"ttl_seconds,omitempty"`
		UpdatedAt  *time.Time `json:"updated_at,omitempty"`
	}{ID: info.ID, Items: info.Items, TTLSeconds: info.TTL.Seconds()}
	if !info.UpdatedAt.IsZero() {
		v.UpdatedAt = &info.UpdatedAt
	}
	return v
}

// printable quotes an ID that would not print as itself on a line.
func printable(id string) string {
	if strings.ContainsFunc(id, func(r rune) bool { return r < ' ' || r == 0x7f || r == '\uFFFD' }) || strings.TrimSpace(id) != id {
		return fmt.Sprintf("%q", id)
	}
	return id
}

// onSession adapts a command that works on the one session its argument names:
// it checks the argument, opens the store and closes it after.
func onSession(f func(ctx context.Context, e *env, id string, s *agentsession.Session) error) func(context.Context, *env, *flag.FlagSet, []string) error {
	return func(ctx context.Context, e *env, _ *flag.FlagSet, args []string) error {
		id, err := oneID(args)
		if err != nil {
			return err
		}
		st, s, err := e.session(ctx, id)
		if err != nil {
			return err
		}
		defer st.Close()
		return f(ctx, e, id, s)
	}
}

func runShow(ctx context.Context, e *env, id string, s *agentsession.Session) error {
	items, err := s.GetItems(ctx, flagLimit)
	var corrupt *agentsession.CorruptError
	if err != nil && !errors.As(err, &corrupt) {
		return err
	}
	for _, it := range items {
		if flagJSON {
			fmt.Fprintf(e.stdout, "%s\n", it)
		} else {
			fmt.Fprintln(e.stdout, summarize(it))
		}
	}
	if corrupt != nil {
		for _, bad := range corrupt.Items {
			fmt.Fprintf(e.stderr, "damaged element at index %d: %q\n", bad.Index, bad.Raw)
		}
		return fmt.Errorf("%d damaged elements (shown above, not as items)", len(corrupt.Items))
	}
	if len(items) == 0 && !flagJSON {
		fmt.Fprintf(e.stderr, "session %s has no items\n", printable(id))
	}
	return nil
}

func runAdd(ctx context.Context, e *env, _ *flag.FlagSet, args []string) error {
	id, err := oneID(args)
	if err != nil {
		return err
	}
	items, err := readItems(e.stdin)
	if err != nil {
		return err
	}
	if len(items) == 0 {
		return fmt.Errorf("no items on stdin")
	}
	st, s, err := e.session(ctx, id)
	if err != nil {
		return err
	}
	defer st.Close()
	if err := s.AddItems(ctx, items); err != nil {
		return err
	}
	fmt.Fprintf(e.stderr, "added %d items to %s\n", len(items), printable(id))
	return nil
}

// readItems reads one JSON value, an array of them, or JSON Lines.
func readItems(r io.Reader) ([]json.RawMessage, error) {
	data, err := io.ReadAll(r)
	if err != nil {
		return nil, err
	}
	data = bytes.TrimSpace(data)
	if len(data) > 0 && data[0] == '[' {
		var items []json.RawMessage
		if err := json.Unmarshal(data, &items); err != nil {
			return nil, fmt.Errorf("stdin: a JSON array that does not parse: %w", err)
		}
		return items, nil
	}
	// One object, or several, one per line (or just one after another).
	var items []json.RawMessage
	dec := json.NewDecoder(bufio.NewReader(bytes.NewReader(data)))
	for dec.More() {
		var v json.RawMessage
		if err := dec.Decode(&v); err != nil {
			return nil, fmt.Errorf("stdin: item %d: %w", len(items), err)
		}
		items = append(items, v)
	}
	return items, nil
}

func runPop(ctx context.Context, e *env, id string, s *agentsession.Session) error {
	item, err := s.PopItem(ctx)
	if err != nil {
		return err
	}
	if item == nil {
		fmt.Fprintf(e.stderr, "session %s is empty\n", printable(id))
		return nil
	}
	fmt.Fprintf(e.stdout, "%s\n", item)
	return nil
}

func runClear(ctx context.Context, e *env, _ *flag.FlagSet, args []string) error {
	id, err := oneID(args)
	if err != nil {
		return err
	}
	if !flagYes && e.isTerminal() {
		fmt.Fprintf(e.stderr, "delete every item of session %s? [y/N] ", printable(id))
		answer, _ := bufio.NewReader(e.stdin).ReadString('\n')
		if a := strings.ToLower(strings.TrimSpace(answer)); a != "y" && a != "yes" {
			return errors.New("not cleared")
		}
	}
	st, s, err := e.session(ctx, id)
	if err != nil {
		return err
	}
	defer st.Close()
	if err := s.ClearSession(ctx); err != nil {
		return err
	}
	fmt.Fprintf(e.stderr, "cleared %s\n", printable(id))
	return nil
}

// stdinIsTerminal reports whether stdin is a terminal (a character device).
func stdinIsTerminal() bool {
	fi, err := os.Stdin.Stat()
	return err == nil && fi.Mode()&os.ModeCharDevice != 0
}
