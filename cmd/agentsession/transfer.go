package main

import (
	"bufio"
	"context"
	"encoding/base64"
	"encoding/json"
	"fmt"
	"io"
	"os"
	"slices"
	"time"
	"unicode/utf8"

	"github.com/agentsession/agentsession"
)

// record is one line of an export: one session. An ID that is not UTF-8
// (JSON strings cannot hold it) is in IDBase64 instead of ID.
type record struct {
	ID       string            `json:"id,omitempty"`
	IDBase64 string            `json:"id_base64,omitempty"`
	TTL      float64           `json:"ttl,omitempty"` // seconds left when exported; absent: no expiry
	Items    []json.RawMessage `json:"items"`
}

func (r *record) id() (string, error) {
	if r.IDBase64 != "" {
		b, err := base64.StdEncoding.DecodeString(r.IDBase64)
		return string(b), err
	}
	return r.ID, nil
}

func newRecord(id string, ttl time.Duration, items []json.RawMessage) record {
	r := record{Items: items, TTL: ttl.Seconds()}
	if utf8.ValidString(id) {
		r.ID = id
	} else {
		r.IDBase64 = base64.StdEncoding.EncodeToString([]byte(id))
	}
	if r.Items == nil {
		r.Items = []json.RawMessage{}
	}
	return r
}

// source yields the sessions to copy: every listed one, or the named ones.
type source struct {
	store *agentsession.Store
	ids   []string // nil: all
}

// count returns how many sessions each will yield (a listing pass for all).
func (s source) count(ctx context.Context) (int, error) {
	if s.ids != nil {
		return len(s.ids), nil
	}
	n := 0
	err := s.list(ctx, 1000, func(agentsession.SessionInfo) error { n++; return nil })
	return n, err
}

// list calls f with each session of the store once. A listing may name a
// session twice (Redis's SCAN does when the keyspace is rehashed meanwhile),
// so list keeps the IDs it has passed on: about 100 bytes per session.
func (s source) list(ctx context.Context, pageSize int, f func(agentsession.SessionInfo) error) error {
	seen := make(map[string]struct{})
	cursor := ""
	for {
		page, next, err := agentsession.List(ctx, s.store.Backend, cursor, pageSize)
		if err != nil {
			return err
		}
		for _, info := range page {
			if _, dup := seen[info.ID]; dup {
				continue
			}
			seen[info.ID] = struct{}{}
			if err := f(info); err != nil {
				return err
			}
		}
		if next == "" {
			return nil
		}
		cursor = next
	}
}

// each calls f with each session's ID, TTL left (0 when unknown or none) and
// items, one session at a time, so memory holds one session.
func (s source) each(ctx context.Context, f func(id string, ttl time.Duration, items []json.RawMessage) error) error {
	read := func(id string, ttl time.Duration) error {
		sess, err := agentsession.New(s.store.Backend, id, nil)
		if err != nil {
			return err
		}
		items, err := sess.GetItems(ctx, 0)
		if err != nil {
			return fmt.Errorf("reading session %s: %w", printable(id), err)
		}
		return f(id, ttl, items)
	}
	if s.ids != nil {
		for _, id := range s.ids {
			if err := read(id, 0); err != nil {
				return err
			}
		}
		return nil
	}
	return s.list(ctx, 200, func(info agentsession.SessionInfo) error { return read(info.ID, info.TTL) })
}

// outcome of writing one session.
type outcome int

const (
	written outcome = iota
	alreadyThere
)

// write puts items into session id of dst, safely re-runnable: a session that
// already holds exactly these items is left alone; an empty one gets them as
// one atomic batch, with the TTL; one holding other items is an error unless
// overwrite, which clears it first. The items are then read back and counted.
func write(ctx context.Context, dst *agentsession.Store, id string, ttl time.Duration, items []json.RawMessage, overwrite bool) (outcome, error) {
	opts := dst.Options
	if ttl > 0 {
		opts.TTL = ttl
	}
	opts.SlidingTTL = false
	s, err := agentsession.New(dst.Backend, id, &opts)
	if err != nil {
		return 0, err
	}
	have, err := s.GetItems(ctx, 0)
	if err != nil {
		return 0, fmt.Errorf("session %s in the destination: %w", printable(id), err)
	}
	if sameItems(have, items) {
		return alreadyThere, nil
	}
	if len(have) > 0 {
		if !overwrite {
			return 0, fmt.Errorf("session %s is in the destination with other items (%d there, %d to copy); --overwrite replaces it", printable(id), len(have), len(items))
		}
		if err := s.ClearSession(ctx); err != nil {
			return 0, err
		}
	}
	if err := s.AddItems(ctx, items); err != nil {
		return 0, fmt.Errorf("session %s: %w", printable(id), err)
	}
	got, err := s.GetItems(ctx, 0)
	if err != nil {
		return 0, fmt.Errorf("checking session %s: %w", printable(id), err)
	}
	if !sameItems(got, items) {
		return 0, fmt.Errorf("session %s: %d items read back, %d written (changed by someone else meanwhile?)", printable(id), len(got), len(items))
	}
	return written, nil
}

// sameItems compares items as JSON values, so spacing does not matter (a
// store may keep them compact).
func sameItems(a, b []json.RawMessage) bool {
	return slices.EqualFunc(a, b, func(x, y json.RawMessage) bool {
		if string(x) == string(y) {
			return true
		}
		var vx, vy any
		if json.Unmarshal(x, &vx) != nil || json.Unmarshal(y, &vy) != nil {
			return false
		}
		bx, _ := json.Marshal(vx)
		by, _ := json.Marshal(vy)
		return string(bx) == string(by)
	})
}

// tally counts a copy's work for its final line.
type tally struct {
	sessions, items, skipped int
}

func (t tally) String() string {
	return fmt.Sprintf("%d sessions (%d items) copied, %d already there", t.sessions, t.items, t.skipped)
}

// readRecords reads export lines from r, calling f for each.
func readRecords(r io.Reader, f func(line int, rec record) error) error {
	sc := bufio.NewScanner(r)
	sc.Buffer(make([]byte, 0, 1<<20), 512<<20) // a session may be large
	line := 0
	for sc.Scan() {
		line++
		if len(sc.Bytes()) == 0 {
			continue
		}
		var rec record
		if err := json.Unmarshal(sc.Bytes(), &rec); err != nil {
			return fmt.Errorf("line %d: %w", line, err)
		}
		if err := f(line, rec); err != nil {
			return fmt.Errorf("line %d: %w", line, err)
		}
	}
	return sc.Err()
}

// stderrIsTerminal reports whether stderr is a terminal, where a progress bar
// goes.
func stderrIsTerminal() bool {
	fi, err := os.Stderr.Stat()
	return err == nil && fi.Mode()&os.ModeCharDevice != 0
}

// progress draws a bar on a terminal, and nothing elsewhere.
type progress struct {
	w     io.Writer
	on    bool
	total int
	done  int
	last  time.Time
}

func (p *progress) step() {
	p.done++
	if !p.on || (time.Since(p.last) < 100*time.Millisecond && p.done != p.total) {
		return
	}
	p.last = time.Now()
	const width = 30
	filled := width
	if p.total > 0 {
		filled = min(width, p.done*width/p.total)
	}
	bar := make([]byte, width)
	for i := range bar {
		bar[i] = ' '
		if i < filled {
			bar[i] = '#'
		}
	}
	fmt.Fprintf(p.w, "\r[%s] %d/%d sessions", bar, p.done, p.total)
}

func (p *progress) finish() {
	if p.on && p.done > 0 {
		fmt.Fprintln(p.w)
	}
}
