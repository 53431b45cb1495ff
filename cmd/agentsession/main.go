// Command agentsession inspects and manages the sessions of an agentsession
// store: it lists them, shows, adds, pops and clears items, and runs the
// reference usage example as a demo.
//
// The store is named by --store URL, else by $AGENTSESSION_STORE, else it is a
// SQLite file in the user's data directory ($XDG_DATA_HOME/agentsession, by
// default ~/.local/share/agentsession), made on first use; "agentsession
// where" prints which. Run "agentsession help" for the commands and
// "agentsession COMMAND --help" for one.
//
// Exit codes: 0 success; 1 the command failed (the store could not be opened
// or an operation failed; the message is on stderr); 2 the command line is
// wrong (unknown command or flag, missing or extra arguments).
package main

import (
	"context"
	"errors"
	"flag"
	"fmt"
	"io"
	"os"
	"os/signal"
	"strings"

	_ "github.com/agentsession/agentsession/dynamosession"
	_ "github.com/agentsession/agentsession/memsession"
	_ "github.com/agentsession/agentsession/pgsession"
	_ "github.com/agentsession/agentsession/redissession"
	_ "github.com/agentsession/agentsession/sqlitesession"
)

// command is one subcommand.
type command struct {
	name, args, summary, example string
	run                          func(ctx context.Context, e *env, fs *flag.FlagSet, args []string) error
	flags                        func(fs *flag.FlagSet)
}

// env is what a command runs with.
type env struct {
	stdin          io.Reader
	stdout, stderr io.Writer
	getenv         func(string) string
	store          string      // --store
	isTerminal     func() bool // stdin
	stderrTerminal func() bool
}

// usageError is a wrong command line: exit code 2.
type usageError struct{ msg string }

func (e usageError) Error() string { return e.msg }

func usagef(format string, a ...any) error { return usageError{fmt.Sprintf(format, a...)} }

func main() {
	ctx, stop := signal.NotifyContext(context.Background(), os.Interrupt)
	defer stop()
	e := &env{stdin: os.Stdin, stdout: os.Stdout, stderr: os.Stderr, getenv: os.Getenv, isTerminal: stdinIsTerminal, stderrTerminal: stderrIsTerminal}
	os.Exit(run(ctx, e, os.Args[1:]))
}

// run runs the command line args and returns the exit code.
func run(ctx context.Context, e *env, args []string) int {
	if len(args) == 0 || args[0] == "help" || args[0] == "-h" || args[0] == "--help" {
		if len(args) > 1 {
			if c := find(args[1]); c != nil {
				return runCommand(ctx, e, c, []string{"--help"})
			}
		}
		printUsage(e.stdout)
		if len(args) == 0 {
			return 2
		}
		return 0
	}
	c := find(args[0])
	if c == nil {
		fmt.Fprintf(e.stderr, "agentsession: unknown command %q\n\n", args[0])
		printUsage(e.stderr)
		return 2
	}
	return runCommand(ctx, e, c, args[1:])
}

func runCommand(ctx context.Context, e *env, c *command, args []string) int {
	fs := flag.NewFlagSet(c.name, flag.ContinueOnError)
	fs.SetOutput(e.stderr)
	fs.StringVar(&e.store, "store", "", "store URL (default $AGENTSESSION_STORE, else a SQLite file: see 'agentsession where')")
	if c.flags != nil {
		c.flags(fs)
	}
	fs.Usage = func() {
		w := fs.Output()
		fmt.Fprintf(w, "usage: agentsession %s [flags] %s\n\n%s\n\nexample:\n  %s\n\nflags:\n", c.name, c.args, c.summary, c.example)
		fs.PrintDefaults()
	}
	positional, err := parseInterspersed(fs, args)
	if err != nil {
		if errors.Is(err, flag.ErrHelp) {
			fs.SetOutput(e.stdout)
			fs.Usage()
			return 0
		}
		return 2
	}
	err = c.run(ctx, e, fs, positional)
	var ue usageError
	switch {
	case err == nil:
		return 0
	case errors.As(err, &ue):
		fmt.Fprintf(e.stderr, "agentsession %s: %v\n", c.name, err)
		fmt.Fprintf(e.stderr, "usage: agentsession %s [flags] %s (see --help)\n", c.name, c.args)
		return 2
	default:
		fmt.Fprintf(e.stderr, "agentsession %s: %v\n", c.name, err)
		return 1
	}
}

// parseInterspersed parses flags anywhere among the arguments ("show ID
// --limit 5" as well as "show --limit 5 ID"); after "--" all are arguments.
func parseInterspersed(fs *flag.FlagSet, args []string) ([]string, error) {
	var positional []string
	for {
		if err := fs.Parse(args); err != nil {
			return nil, err
		}
		rest := fs.Args()
		if len(rest) == 0 {
			return positional, nil
		}
		if len(args) > len(rest) && args[len(args)-len(rest)-1] == "--" {
			return append(positional, rest...), nil
		}
		positional = append(positional, rest[0])
		args = rest[1:]
	}
}

func find(name string) *command {
	for i := range commands {
		if commands[i].name == name {
			return &commands[i]
		}
	}
	return nil
}

func printUsage(w io.Writer) {
	fmt.Fprint(w, `agentsession inspects and manages the sessions of an agentsession store.

usage: agentsession COMMAND [flags] [args]

commands:
`)
	for _, c := range commands {
		fmt.Fprintf(w, "  %-8s %s\n", c.name, strings.SplitN(c.summary, "\n", 2)[0])
	}
	fmt.Fprint(w, `
The store is --store URL, else $AGENTSESSION_STORE, else a SQLite file in your
data directory (agentsession where). URLs: redis://host:6379/0, memory://,
sqlite:///path/to/file.db, postgres://user:pass@host/db, dynamodb://TABLE;
?ttl=24h sets the TTL of sessions written.

"agentsession COMMAND --help" shows a command's flags and an example.
Exit codes: 0 ok, 1 failed, 2 bad command line.
`)
}
