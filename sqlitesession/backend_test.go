package sqlitesession_test

import (
	"context"
	"database/sql"
	"encoding/json"
	"errors"
	"os"
	"path/filepath"
	"slices"
	"strings"
	"testing"
	"time"

	"github.com/agentsession/agentsession"
	"github.com/agentsession/agentsession/sqlitesession"
)

func mustSession(t *testing.T, b agentsession.Backend, id string, opts *agentsession.Options) *agentsession.Session {
	t.Helper()
	s, err := agentsession.New(b, id, opts)
	if err != nil {
		t.Fatal(err)
	}
	return s
}

func addItems(t *testing.T, s *agentsession.Session, items ...string) {
	t.Helper()
	batch := make([]json.RawMessage, len(items))
	for i, it := range items {
		batch[i] = json.RawMessage(it)
	}
	if err := s.AddItems(t.Context(), batch); err != nil {
		t.Fatalf("AddItems: %v", err)
	}
}

func getItems(t *testing.T, s *agentsession.Session) []string {
	t.Helper()
	got, err := s.GetItems(t.Context(), 0)
	if err != nil {
		t.Fatalf("GetItems: %v", err)
	}
	out := make([]string, len(got))
	for i, g := range got {
		out[i] = string(g)
	}
	return out
}

// queryStrings returns the first column of every row of query on the file at
// path, opened separately from any Backend.
func queryStrings(t *testing.T, path, query string, args ...any) []string {
	t.Helper()
	db, err := sql.Open("sqlite", path)
	if err != nil {
		t.Fatal(err)
	}
	defer db.Close()
	rows, err := db.QueryContext(t.Context(), query, args...)
	if err != nil {
		t.Fatalf("%s: %v", query, err)
	}
	defer rows.Close()
	var out []string
	for rows.Next() {
		var s string
		if err := rows.Scan(&s); err != nil {
			t.Fatal(err)
		}
		out = append(out, s)
	}
	if err := rows.Err(); err != nil {
		t.Fatal(err)
	}
	return out
}

func TestSchema(t *testing.T) {
	b, path := open(t, &sqlitesession.Options{TablePrefix: "app_"})
	if got := b.TablePrefix(); got != "app_" {
		t.Fatalf("TablePrefix() = %q", got)
	}
	addItems(t, mustSession(t, b, "s1", &agentsession.Options{TTL: time.Hour}), `{"a":1}`, `{"b":2}`)

	tables := queryStrings(t, path, `SELECT name FROM sqlite_schema WHERE type IN ('table', 'index') AND name NOT LIKE 'sqlite_%' ORDER BY name`)
	if want := []string{"app_items", "app_sessions", "app_sessions_expires_at"}; !slices.Equal(tables, want) {
		t.Fatalf("tables and indexes %v, want %v", tables, want)
	}
	for table, want := range map[string][]string{
		"app_sessions": {"id BLOB 1", "expires_at INTEGER 0", "updated_at INTEGER 0"},
		"app_items":    {"session_id BLOB 1", "pos INTEGER 2", "data TEXT 0"},
	} {
		got := queryStrings(t, path, `SELECT name || ' ' || type || ' ' || pk FROM pragma_table_info(?)`, table)
		if !slices.Equal(got, want) {
			t.Fatalf("columns of %s: %v, want %v", table, got, want)
		}
	}
	if got := queryStrings(t, path, `PRAGMA journal_mode`); !slices.Equal(got, []string{"wal"}) {
		t.Fatalf("journal_mode %v, want wal", got)
	}
	// The items are stored as JSON text, so SQLite's JSON functions read them.
	got := queryStrings(t, path, `SELECT s.id || ':' || i.pos || ':' || json_extract(i.data, '$.a') || ':' || (s.expires_at > s.updated_at)
		FROM app_sessions s JOIN app_items i ON i.session_id = s.id WHERE i.pos = 0`)
	if want := []string{"s1:0:1:1"}; !slices.Equal(got, want) {
		t.Fatalf("stored rows %v, want %v", got, want)
	}
	if !strings.Contains(b.Schema(), `CREATE TABLE IF NOT EXISTS "app_sessions"`) {
		t.Fatalf("Schema() does not create app_sessions:\n%s", b.Schema())
	}
	// CreateSchema again changes nothing.
	if err := b.CreateSchema(t.Context()); err != nil {
		t.Fatalf("CreateSchema on an existing schema: %v", err)
	}
}

func TestNewOnCallersDB(t *testing.T) {
	path := filepath.Join(t.TempDir(), "app.db")
	db, err := sql.Open("sqlite", "file:"+path+"?_pragma=busy_timeout(5000)&_pragma=journal_mode(WAL)")
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { db.Close() })
	if _, err := sqlitesession.New(nil, nil); !errors.Is(err, sqlitesession.ErrNilDB) {
		t.Fatalf("New(nil): %v, want ErrNilDB", err)
	}
	b, err := sqlitesession.New(db, nil)
	if err != nil {
		t.Fatal(err)
	}
	if err := b.CreateSchema(t.Context()); err != nil {
		t.Fatal(err)
	}
	s := mustSession(t, b, "x", nil)
	addItems(t, s, `{"a":1}`)
	if err := b.Close(); err != nil {
		t.Fatal(err)
	}
	// The caller's DB is still open.
	if got := getItems(t, s); !slices.Equal(got, []string{`{"a":1}`}) {
		t.Fatalf("after Close of a Backend from New: %v", got)
	}
}

func TestInvalidOptions(t *testing.T) {
	for _, o := range []*sqlitesession.Options{
		{TablePrefix: `x"; DROP TABLE y; --`},
		{TablePrefix: "a-b"},
		{TablePrefix: "é"},
		{BusyTimeout: -time.Second},
	} {
		if _, err := sqlitesession.New(&sql.DB{}, o); !errors.Is(err, sqlitesession.ErrInvalidOptions) {
			t.Errorf("New(%+v): %v, want ErrInvalidOptions", o, err)
		}
		if _, err := sqlitesession.Open(t.Context(), filepath.Join(t.TempDir(), "x.db"), o); !errors.Is(err, sqlitesession.ErrInvalidOptions) {
			t.Errorf("Open(%+v): %v, want ErrInvalidOptions", o, err)
		}
	}
	for _, path := range []string{"", ":memory:"} {
		if _, err := sqlitesession.Open(t.Context(), path, nil); !errors.Is(err, sqlitesession.ErrInvalidPath) {
			t.Errorf("Open(%q): %v, want ErrInvalidPath", path, err)
		}
	}
}

func TestOpenMakesDirectoryAndOddPath(t *testing.T) {
	path := filepath.Join(t.TempDir(), "a b", "c?d#e%f", "sessions.db")
	b, err := sqlitesession.Open(t.Context(), path, nil)
	if err != nil {
		t.Fatal(err)
	}
	defer b.Close()
	addItems(t, mustSession(t, b, "x", nil), `{"a":1}`)
	if _, err := os.Stat(path); err != nil {
		t.Fatalf("the database is not at %s: %v", path, err)
	}
}

// TestIDBytes stores sessions whose IDs hold NUL bytes and invalid UTF-8, and
// reads them back, listed by the exact bytes.
func TestIDBytes(t *testing.T) {
	b, path := open(t, nil)
	ids := []string{"a\x00", "a\x00b", "a", "\xff", "\xff\xfe\x00", "x\x00\xff", "ü", "u\u0308"}
	for i, id := range ids {
		addItems(t, mustSession(t, b, id, nil), `{"i":`+string(rune('0'+i))+`}`)
	}
	for i, id := range ids {
		if got, want := getItems(t, mustSession(t, b, id, nil)), []string{`{"i":` + string(rune('0'+i)) + `}`}; !slices.Equal(got, want) {
			t.Fatalf("session %q: %v, want %v", id, got, want)
		}
	}
	var listed []string
	for cursor := ""; ; {
		page, next, err := b.List(t.Context(), cursor, 3)
		if err != nil {
			t.Fatal(err)
		}
		for _, info := range page {
			listed = append(listed, info.ID)
		}
		if next == "" {
			break
		}
		cursor = next
	}
	want := slices.Clone(ids)
	slices.Sort(want)
	if !slices.Equal(listed, want) {
		t.Fatalf("listed %q, want %q", listed, want)
	}
	// The IDs are stored as BLOBs, byte for byte.
	got := queryStrings(t, path, `SELECT hex(id) FROM agentsession_sessions WHERE id = ?`, []byte("\xff\xfe\x00"))
	if !slices.Equal(got, []string{"FFFE00"}) {
		t.Fatalf("stored ID %v, want FFFE00", got)
	}
}

func TestReopen(t *testing.T) {
	path := filepath.Join(t.TempDir(), "sessions.db")
	b, err := sqlitesession.Open(t.Context(), path, nil)
	if err != nil {
		t.Fatal(err)
	}
	addItems(t, mustSession(t, b, "kept", &agentsession.Options{TTL: time.Hour}), `{"n":1}`, `{"n":2}`, `{"n":3}`)
	if _, err := mustSession(t, b, "kept", nil).PopItem(t.Context()); err != nil {
		t.Fatal(err)
	}
	if err := b.Close(); err != nil {
		t.Fatal(err)
	}
	if _, err := b.Items(t.Context(), "kept", 0); err == nil {
		t.Fatal("Items after Close: no error")
	}

	b, err = sqlitesession.Open(t.Context(), path, nil)
	if err != nil {
		t.Fatal(err)
	}
	defer b.Close()
	s := mustSession(t, b, "kept", nil)
	if got, want := getItems(t, s), []string{`{"n":1}`, `{"n":2}`}; !slices.Equal(got, want) {
		t.Fatalf("after reopening: %v, want %v", got, want)
	}
	// Positions go on from where they were.
	addItems(t, s, `{"n":4}`)
	if got, want := getItems(t, s), []string{`{"n":1}`, `{"n":2}`, `{"n":4}`}; !slices.Equal(got, want) {
		t.Fatalf("after reopening and adding: %v, want %v", got, want)
	}
	page, _, err := b.List(t.Context(), "", 10)
	if err != nil || len(page) != 1 || page[0].Items != 3 || page[0].TTL <= 59*time.Minute {
		t.Fatalf("List after reopening: %+v, %v", page, err)
	}
}

// clock is a time that tests move by hand.
type clock struct{ t time.Time }

func (c *clock) now() time.Time { return c.t }

func TestPurge(t *testing.T) {
	b, path := open(t, nil)
	c := &clock{time.Now()}
	sqlitesession.SetNow(b, c.now)
	ctx := t.Context()
	short := &agentsession.Options{TTL: time.Minute}
	for _, id := range []string{"short1", "short2", "short3"} {
		addItems(t, mustSession(t, b, id, short), `{"a":1}`, `{"b":2}`)
	}
	addItems(t, mustSession(t, b, "long", &agentsession.Options{TTL: time.Hour}), `{"a":1}`)
	addItems(t, mustSession(t, b, "forever", nil), `{"a":1}`)
	// An add without a TTL keeps the expiry that short3 has.
	addItems(t, mustSession(t, b, "short3", nil), `{"c":3}`)

	if n, err := b.Purge(ctx); n != 0 || err != nil {
		t.Fatalf("Purge before any TTL ended: %d, %v", n, err)
	}
	c.t = c.t.Add(time.Minute)
	if got := getItems(t, mustSession(t, b, "short3", nil)); len(got) != 0 {
		t.Fatalf("short3 after its TTL: %v", got)
	}
	// That read dropped short3; short2 is dropped by an add, which starts it
	// afresh without the old expiry.
	addItems(t, mustSession(t, b, "short2", nil), `{"new":1}`)
	rows := func() []string {
		return queryStrings(t, path, `SELECT CAST(id AS TEXT) || '=' || (SELECT count(*) FROM agentsession_items WHERE session_id = id) || ':' || (expires_at IS NULL) FROM agentsession_sessions ORDER BY id`)
	}
	if got, want := rows(), []string{"forever=1:1", "long=1:0", "short1=2:0", "short2=1:1"}; !slices.Equal(got, want) {
		t.Fatalf("sessions rows before Purge: %v, want %v", got, want)
	}
	if n, err := b.Purge(ctx); n != 1 || err != nil {
		t.Fatalf("Purge: %d, %v; want 1 (short1)", n, err)
	}
	if got, want := rows(), []string{"forever=1:1", "long=1:0", "short2=1:1"}; !slices.Equal(got, want) {
		t.Fatalf("sessions rows after Purge: %v, want %v", got, want)
	}
	if got := queryStrings(t, path, `SELECT count(*) FROM agentsession_items`); !slices.Equal(got, []string{"3"}) {
		t.Fatalf("items left after Purge: %v, want 3", got)
	}
	c.t = c.t.Add(time.Hour)
	if n, err := b.Purge(ctx); n != 1 || err != nil {
		t.Fatalf("Purge an hour later: %d, %v; want 1 (long)", n, err)
	}
	canceled, cancel := context.WithCancel(ctx)
	cancel()
	if _, err := b.Purge(canceled); !errors.Is(err, context.Canceled) {
		t.Fatalf("Purge with a canceled context: %v", err)
	}
}

func TestPopRemovesSessionRow(t *testing.T) {
	b, path := open(t, nil)
	s := mustSession(t, b, "p", nil)
	addItems(t, s, `{"a":1}`, `{"b":2}`)
	for range 2 {
		if _, err := s.PopItem(t.Context()); err != nil {
			t.Fatal(err)
		}
	}
	if got := queryStrings(t, path, `SELECT count(*) FROM agentsession_sessions`); !slices.Equal(got, []string{"0"}) {
		t.Fatalf("sessions rows after popping every item: %v, want 0", got)
	}
}
