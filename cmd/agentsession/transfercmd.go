package main

import (
	"context"
	"encoding/json"
	"flag"
	"fmt"
	"os"
	"time"

	"github.com/agentsession/agentsession"
)

// Flags of export, import and migrate.
var (
	flagFrom, flagTo, flagFile string
	flagOverwrite              bool
)

func init() {
	commands = append(commands,
		command{
			name: "export", args: "[ID...] | --all", summary: "Write sessions as JSON Lines, one session per line: {\"id\", \"ttl\" (seconds left), \"items\"}.",
			example: "agentsession export --all > sessions.jsonl",
			flags: func(fs *flag.FlagSet) {
				fs.BoolVar(&flagAll, "all", false, "every session in the store")
				fs.StringVar(&flagFile, "out", "", "write to this file instead of stdout")
			},
			run: runExport,
		},
		command{
			name: "import", summary: "Read sessions written by export (stdin, or --in FILE) into the store. Safe to re-run:\na session already holding the same items is left alone; each is written as one batch.",
			example: "agentsession import --store redis://localhost:6379/0 < sessions.jsonl",
			flags: func(fs *flag.FlagSet) {
				fs.StringVar(&flagFile, "in", "", "read this file instead of stdin")
				fs.BoolVar(&flagOverwrite, "overwrite", false, "replace sessions that hold other items (default: fail on them)")
			},
			run: runImport,
		},
		command{
			name: "migrate", args: "--from URL --to URL (--all | ID...)", summary: "Copy sessions from one store to another, a session at a time, with a progress bar on\na terminal. Safe to re-run; each session is checked after it is written.",
			example: "agentsession migrate --from sqlite:///home/me/.local/share/agentsession/sessions.db --to redis://localhost:6379/0 --all",
			flags: func(fs *flag.FlagSet) {
				fs.StringVar(&flagFrom, "from", "", "source store URL")
				fs.StringVar(&flagTo, "to", "", "destination store URL")
				fs.BoolVar(&flagAll, "all", false, "every session of the source")
				fs.BoolVar(&flagOverwrite, "overwrite", false, "replace destination sessions that hold other items (default: fail on them)")
			},
			run: runMigrate,
		},
	)
}

// selection returns the sessions named by args or --all.
func selection(st *agentsession.Store, args []string) (source, error) {
	switch {
	case flagAll && len(args) > 0:
		return source{}, usagef("give session IDs or --all, not both")
	case !flagAll && len(args) == 0:
		return source{}, usagef("give session IDs, or --all")
	case flagAll:
		return source{store: st}, nil
	}
	return source{store: st, ids: args}, nil
}

func runExport(ctx context.Context, e *env, _ *flag.FlagSet, args []string) error {
	st, err := e.open(ctx)
	if err != nil {
		return err
	}
	defer st.Close()
	src, err := selection(st, args)
	if err != nil {
		return err
	}
	out := e.stdout
	if flagFile != "" {
		f, err := os.Create(flagFile)
		if err != nil {
			return err
		}
		defer f.Close()
		out = f
	}
	enc := json.NewEncoder(out)
	n := 0
	err = src.each(ctx, func(id string, ttl time.Duration, items []json.RawMessage) error {
		n++
		return enc.Encode(newRecord(id, ttl, items))
	})
	if err != nil {
		return err
	}
	fmt.Fprintf(e.stderr, "exported %d sessions\n", n)
	return nil
}

func runImport(ctx context.Context, e *env, _ *flag.FlagSet, args []string) error {
	if len(args) > 0 {
		return usagef("no arguments expected (the sessions come on stdin or --in)")
	}
	in := e.stdin
	if flagFile != "" {
		f, err := os.Open(flagFile)
		if err != nil {
			return err
		}
		defer f.Close()
		in = f
	}
	st, err := e.open(ctx)
	if err != nil {
		return err
	}
	defer st.Close()
	var t tally
	err = readRecords(in, func(_ int, rec record) error {
		id, err := rec.id()
		if err != nil {
			return err
		}
		res, err := write(ctx, st, id, time.Duration(rec.TTL*float64(time.Second)), rec.Items, flagOverwrite)
		if err != nil {
			return err
		}
		t.add(res, len(rec.Items))
		return nil
	})
	fmt.Fprintf(e.stderr, "import: %v\n", t)
	return err
}

func (t *tally) add(res outcome, items int) {
	if res == alreadyThere {
		t.skipped++
		return
	}
	t.sessions++
	t.items += items
}

func runMigrate(ctx context.Context, e *env, _ *flag.FlagSet, args []string) error {
	if flagFrom == "" || flagTo == "" {
		return usagef("--from and --to are both needed")
	}
	from, err := agentsession.OpenStore(ctx, flagFrom)
	if err != nil {
		return err
	}
	defer from.Close()
	to, err := agentsession.OpenStore(ctx, flagTo)
	if err != nil {
		return err
	}
	defer to.Close()
	src, err := selection(from, args)
	if err != nil {
		return err
	}
	total, err := src.count(ctx)
	if err != nil {
		return err
	}
	bar := &progress{w: e.stderr, on: e.stderrTerminal(), total: total}
	var t tally
	err = src.each(ctx, func(id string, ttl time.Duration, items []json.RawMessage) error {
		res, err := write(ctx, to, id, ttl, items, flagOverwrite)
		if err != nil {
			return err
		}
		t.add(res, len(items))
		bar.step()
		return nil
	})
	bar.finish()
	fmt.Fprintf(e.stderr, "migrate %s -> %s: %v\n", agentsession.Redact(flagFrom), agentsession.Redact(flagTo), t)
	if err != nil {
		return err
	}
	if got := t.sessions + t.skipped; got != total && src.ids == nil {
		return fmt.Errorf("count check: the source listed %d sessions, %d were copied or already there (did it change meanwhile?)", total, got)
	}
	return nil
}
