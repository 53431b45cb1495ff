package main

import (
	"context"
	"flag"
	"fmt"
	"strconv"
	"time"
)

func init() {
	commands = append(commands, command{
		name: "ttl", args: "ID [DURATION]", summary: "Show the time a session has left, or set it: a duration such as 24h or 90s (from now),\nor 0 for no expiry.",
		example: "agentsession ttl user-123 24h",
		run:     runTTL,
	})
}

func runTTL(ctx context.Context, e *env, _ *flag.FlagSet, args []string) error {
	if len(args) == 0 || len(args) > 2 {
		return usagef("want a session ID and, to set it, a duration")
	}
	var set *time.Duration
	if len(args) == 2 {
		d, err := parseDuration(args[1])
		if err != nil {
			return usagef("%v", err)
		}
		set = &d
	}
	st, s, err := e.session(ctx, args[0])
	if err != nil {
		return err
	}
	defer st.Close()
	if set != nil {
		exists, err := s.SetTTL(ctx, *set)
		if err != nil {
			return err
		}
		if !exists {
			return fmt.Errorf("session %s has no items: nothing to expire", printable(args[0]))
		}
	}
	ttl, exists, err := s.TTL(ctx)
	switch {
	case err != nil:
		return err
	case !exists:
		return fmt.Errorf("session %s has no items", printable(args[0]))
	case ttl == 0:
		fmt.Fprintln(e.stdout, "no expiry")
	default:
		fmt.Fprintln(e.stdout, ttl.Round(time.Second))
	}
	return nil
}

// parseDuration reads a Go duration or whole seconds; negative is an error.
func parseDuration(s string) (time.Duration, error) {
	d, err := time.ParseDuration(s)
	if err != nil {
		n, nerr := strconv.ParseInt(s, 10, 64)
		if nerr != nil {
			return 0, fmt.Errorf("duration %q: want such as 24h, 90s or 0", s)
		}
		d = time.Duration(n) * time.Second
	}
	if d < 0 {
		return 0, fmt.Errorf("duration %q is negative", s)
	}
	return d, nil
}
