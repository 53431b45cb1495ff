package pgsession_test

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/agentsession/agentsession"
	"github.com/agentsession/agentsession/pgsession"
	"github.com/jackc/pgx/v5/pgconn"
	"github.com/jackc/pgx/v5/pgxpool"
)

func items(tag string, n int) []json.RawMessage {
	out := make([]json.RawMessage, n)
	for i := range out {
		out[i] = json.RawMessage(fmt.Sprintf(`{"tag":%q,"i":%d}`, tag, i))
	}
	return out
}

func session(t testing.TB, b agentsession.Backend, id string, opts *agentsession.Options) *agentsession.Session {
	t.Helper()
	s, err := agentsession.New(b, id, opts)
	if err != nil {
		t.Fatal(err)
	}
	return s
}

func mustAdd(t testing.TB, s *agentsession.Session, items []json.RawMessage) {
	t.Helper()
	if err := s.AddItems(t.Context(), items); err != nil {
		t.Fatalf("AddItems: %v", err)
	}
}

func mustGet(t testing.TB, s *agentsession.Session, limit int) []json.RawMessage {
	t.Helper()
	got, err := s.GetItems(t.Context(), limit)
	if err != nil {
		t.Fatalf("GetItems(%d): %v", limit, err)
	}
	return got
}

func same(got, want []json.RawMessage) bool {
	if len(got) != len(want) {
		return false
	}
	for i := range got {
		if string(got[i]) != string(want[i]) {
			return false
		}
	}
	return true
}

// count returns what the query, one number, gives.
func count(t testing.TB, pool *pgxpool.Pool, query string, args ...any) int {
	t.Helper()
	var n int
	if err := pool.QueryRow(t.Context(), query, args...).Scan(&n); err != nil {
		t.Fatalf("%s: %v", query, err)
	}
	return n
}

func TestNewAndSchema(t *testing.T) {
	// No server needed: New does no I/O.
	pool, err := pgxpool.New(context.Background(), "postgres://u@127.0.0.1:1/db")
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(pool.Close)
	if _, err := pgsession.New(nil, nil); !errors.Is(err, pgsession.ErrNilPool) {
		t.Fatalf("New(nil pool): %v, want ErrNilPool", err)
	}
	for _, tc := range []struct {
		prefix, want string
		wantErr      bool
	}{
		{"", "agentsession_", false},
		{"app_", "app_", false},
		{"_x9", "_x9", false},
		{strings.Repeat("a", pgsession.MaxTablePrefixLen), strings.Repeat("a", pgsession.MaxTablePrefixLen), false},
		{strings.Repeat("a", pgsession.MaxTablePrefixLen+1), "", true},
		{"App_", "", true},
		{"9a", "", true},
		{"a-b", "", true},
		{"a.b", "", true},
		{`a"; DROP TABLE x; --`, "", true},
	} {
		b, err := pgsession.New(pool, &pgsession.Options{TablePrefix: tc.prefix})
		if tc.wantErr {
			if !errors.Is(err, agentsession.ErrInvalidOptions) {
				t.Errorf("New(prefix %q): %v, want ErrInvalidOptions", tc.prefix, err)
			}
			if _, err := pgsession.Schema(tc.prefix); !errors.Is(err, agentsession.ErrInvalidOptions) {
				t.Errorf("Schema(%q): %v, want ErrInvalidOptions", tc.prefix, err)
			}
			continue
		}
		if err != nil || b.TablePrefix() != tc.want {
			t.Errorf("New(prefix %q): prefix %q, %v; want %q", tc.prefix, b.TablePrefix(), err, tc.want)
			continue
		}
		sql, err := pgsession.Schema(tc.prefix)
		if err != nil || !strings.Contains(sql, "CREATE TABLE IF NOT EXISTS "+tc.want+"sessions (") ||
			!strings.Contains(sql, "CREATE TABLE IF NOT EXISTS "+tc.want+"items (") {
			t.Errorf("Schema(%q) = %q, %v", tc.prefix, sql, err)
		}
		// Close leaves a pool it was given open.
		if err := b.Close(); err != nil {
			t.Fatal(err)
		}
	}
	if pool.Stat().MaxConns() == 0 {
		t.Fatal("the pool was closed")
	}
}

func TestNoSchema(t *testing.T) {
	pool := newPool(t)
	b, err := pgsession.New(pool, &pgsession.Options{TablePrefix: uniquePrefix(t)})
	if err != nil {
		t.Fatal(err)
	}
	ctx := t.Context()
	check := func(op string, err error) {
		t.Helper()
		var pe *pgconn.PgError
		if !errors.Is(err, pgsession.ErrNoSchema) || !errors.As(err, &pe) || pe.Code != "42P01" {
			t.Fatalf("%s before CreateSchema: %v, want ErrNoSchema and a *pgconn.PgError 42P01", op, err)
		}
		if !strings.Contains(err.Error(), "CreateSchema") {
			t.Fatalf("%s before CreateSchema: %q does not say to call CreateSchema", op, err)
		}
	}
	_, err = b.Items(ctx, "a", 0)
	check("Items", err)
	_, err = b.ItemsRefresh(ctx, "a", 1, time.Hour)
	check("ItemsRefresh", err)
	check("Append", b.Append(ctx, "a", [][]byte{[]byte(`{}`)}, 0))
	_, err = b.Pop(ctx, "a")
	check("Pop", err)
	check("Clear", b.Clear(ctx, "a"))
	_, _, err = b.List(ctx, "", 10)
	check("List", err)
	_, err = b.Purge(ctx)
	check("Purge", err)
	check("Session.AddItems", session(t, b, "a", nil).AddItems(ctx, items("x", 1)))

	// CreateSchema makes them work, and is idempotent, also concurrently.
	dropTables(t, pool, b.TablePrefix())
	var wg sync.WaitGroup
	errs := make(chan error, 4)
	for range 4 {
		wg.Go(func() { errs <- b.CreateSchema(ctx) })
	}
	wg.Wait()
	close(errs)
	for err := range errs {
		if err != nil {
			t.Fatalf("CreateSchema: %v", err)
		}
	}
	s := session(t, b, "a", nil)
	mustAdd(t, s, items("x", 2))
	if got := mustGet(t, s, 0); !same(got, items("x", 2)) {
		t.Fatalf("after CreateSchema: %s", got)
	}
}

func TestOddIDs(t *testing.T) {
	pool := newPool(t)
	b := newBackend(t, pool)
	ids := []string{"a\x00b", "a", "a\x00", "\xff\xfe", "\x00", "\xffa", "ok"}
	for i, id := range ids {
		mustAdd(t, session(t, b, id, nil), items(fmt.Sprint(i), i+1))
	}
	for i, id := range ids {
		if got := mustGet(t, session(t, b, id, nil), 0); !same(got, items(fmt.Sprint(i), i+1)) {
			t.Fatalf("session %q: %s", id, got)
		}
	}
	// Listed in byte order, one a page, each exactly once.
	var listed []string
	cursor := ""
	for {
		page, next, err := agentsession.List(t.Context(), b, cursor, 1)
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
	want := []string{"\x00", "a", "a\x00", "a\x00b", "ok", "\xffa", "\xff\xfe"}
	if fmt.Sprintf("%q", listed) != fmt.Sprintf("%q", want) {
		t.Fatalf("listed %q, want %q", listed, want)
	}
	if _, _, err := b.List(t.Context(), "not hex", 1); !errors.Is(err, pgsession.ErrInvalidCursor) {
		t.Fatalf("List with a bad cursor: %v, want ErrInvalidCursor", err)
	}
}

func TestTTLKeptAndReset(t *testing.T) {
	pool := newPool(t)
	b := newBackend(t, pool)
	ctx := t.Context()
	// ttl 0 keeps the expiry that an earlier append set.
	mustAdd(t, session(t, b, "kept", &agentsession.Options{TTL: time.Hour}), items("a", 1))
	mustAdd(t, session(t, b, "kept", nil), items("b", 1))
	// An append to an expired session starts it afresh, without the expiry.
	if err := b.Append(ctx, "reset", [][]byte{[]byte(`{"old":1}`), []byte(`{"old":2}`)}, time.Microsecond); err != nil {
		t.Fatal(err)
	}
	time.Sleep(10 * time.Millisecond)
	mustAdd(t, session(t, b, "reset", nil), items("new", 1))
	if got := mustGet(t, session(t, b, "reset", nil), 0); !same(got, items("new", 1)) {
		t.Fatalf("after appending to an expired session: %s, want only the new item", got)
	}
	page, _, err := b.List(ctx, "", 10)
	if err != nil {
		t.Fatal(err)
	}
	if len(page) != 2 || page[0].ID != "kept" || page[0].Items != 2 || page[0].TTL < 59*time.Minute ||
		page[1].ID != "reset" || page[1].Items != 1 || page[1].TTL != 0 {
		t.Fatalf("listed %+v", page)
	}
}

func TestPurge(t *testing.T) {
	pool := newPool(t)
	b := newBackend(t, pool)
	ctx := t.Context()
	p := b.TablePrefix()
	for i := range 3 {
		if err := b.Append(ctx, fmt.Sprint("short", i), [][]byte{[]byte(`{}`), []byte(`{}`)}, time.Microsecond); err != nil {
			t.Fatal(err)
		}
	}
	mustAdd(t, session(t, b, "long", &agentsession.Options{TTL: time.Hour}), items("l", 2))
	mustAdd(t, session(t, b, "forever", nil), items("f", 3))
	// More expired sessions than one transaction of Purge takes, planted
	// straight in the tables.
	const planted = 2500
	if _, err := pool.Exec(ctx, `INSERT INTO `+p+`sessions (id, item_count, expires_at, updated_at)
SELECT convert_to('planted' || g, 'UTF8'), 1, now() - interval '1 second', now() FROM generate_series(1, $1) g`, planted); err != nil {
		t.Fatal(err)
	}
	if _, err := pool.Exec(ctx, `INSERT INTO `+p+`items (session_id, pos, data)
SELECT convert_to('planted' || g, 'UTF8'), 0, '\x7b7d' FROM generate_series(1, $1) g`, planted); err != nil {
		t.Fatal(err)
	}
	time.Sleep(10 * time.Millisecond)
	n, err := b.Purge(ctx)
	if err != nil || n != planted+3 {
		t.Fatalf("Purge: %d, %v; want %d", n, err, planted+3)
	}
	if got := count(t, pool, "SELECT count(*) FROM "+p+"sessions"); got != 2 {
		t.Fatalf("%d sessions left, want 2", got)
	}
	if got := count(t, pool, "SELECT count(*) FROM "+p+"items"); got != 5 {
		t.Fatalf("%d items left, want 5", got)
	}
	if n, err := b.Purge(ctx); n != 0 || err != nil {
		t.Fatalf("Purge again: %d, %v; want 0", n, err)
	}
}

func TestEmptiedSessionHasNoRows(t *testing.T) {
	pool := newPool(t)
	b := newBackend(t, pool)
	p := b.TablePrefix()
	s := session(t, b, "s", nil)
	mustAdd(t, s, items("x", 2))
	for range 3 {
		if _, err := s.PopItem(t.Context()); err != nil {
			t.Fatal(err)
		}
	}
	mustAdd(t, session(t, b, "c", nil), items("x", 2))
	if err := session(t, b, "c", nil).ClearSession(t.Context()); err != nil {
		t.Fatal(err)
	}
	if got := count(t, pool, "SELECT (SELECT count(*) FROM "+p+"sessions) + (SELECT count(*) FROM "+p+"items)"); got != 0 {
		t.Fatalf("%d rows left after popping and clearing everything", got)
	}
}

// TestAppendAllOrNothing makes the insert of an append fail, after the upsert
// that counted its items has run: the whole append is rolled back.
func TestAppendAllOrNothing(t *testing.T) {
	pool := newPool(t)
	b := newBackend(t, pool)
	ctx := t.Context()
	s := session(t, b, "s", &agentsession.Options{TTL: time.Hour})
	mustAdd(t, s, items("kept", 1))
	// A stray row where the second item of the next append would go.
	if _, err := pool.Exec(ctx, "INSERT INTO "+b.TablePrefix()+"items VALUES ('\\x73', 2, '\\x7b7d')"); err != nil {
		t.Fatal(err)
	}
	err := s.AddItems(ctx, items("new", 3))
	var pe *pgconn.PgError
	if !errors.As(err, &pe) || pe.Code != "23505" {
		t.Fatalf("AddItems over a stray row: %v, want a *pgconn.PgError 23505 (unique_violation)", err)
	}
	if got := mustGet(t, s, 0); !same(got, items("kept", 1)) {
		t.Fatalf("after a failed append: %s", got)
	}
	if page, _, err := b.List(ctx, "", 10); err != nil || len(page) != 1 || page[0].Items != 1 {
		t.Fatalf("after a failed append: listed %+v, %v; want 1 item", page, err)
	}
	if got := count(t, pool, "SELECT count(*) FROM "+b.TablePrefix()+"items"); got != 2 {
		t.Fatalf("after a failed append: %d item rows, want 2 (the kept item and the stray)", got)
	}
}

// TestConcurrentPops pops one session empty from two pools at once: every
// item comes back exactly once.
func TestConcurrentPops(t *testing.T) {
	pools := []*pgxpool.Pool{newPool(t), newPool(t)}
	prefix := uniquePrefix(t)
	var backends []*pgsession.Backend
	for _, pool := range pools {
		b, err := pgsession.New(pool, &pgsession.Options{TablePrefix: prefix})
		if err != nil {
			t.Fatal(err)
		}
		backends = append(backends, b)
	}
	if err := backends[0].CreateSchema(t.Context()); err != nil {
		t.Fatal(err)
	}
	dropTables(t, pools[0], prefix)
	const n = 600
	all := items("p", n)
	for i := 0; i < n; i += 100 {
		mustAdd(t, session(t, backends[0], "shared", nil), all[i:i+100])
	}
	var (
		mu     sync.Mutex
		popped = map[string]int{}
		wg     sync.WaitGroup
	)
	for w := range 8 {
		wg.Go(func() {
			s := session(t, backends[w%2], "shared", nil)
			for {
				it, err := s.PopItem(context.Background())
				if err != nil {
					t.Errorf("PopItem: %v", err)
					return
				}
				if it == nil {
					return
				}
				mu.Lock()
				popped[string(it)]++
				mu.Unlock()
			}
		})
	}
	wg.Wait()
	for _, it := range all {
		if popped[string(it)] != 1 {
			t.Fatalf("item %s popped %d times", it, popped[string(it)])
		}
	}
	if len(popped) != n {
		t.Fatalf("popped %d distinct items, want %d", len(popped), n)
	}
}

// TestEmptyElement: an empty stored element (which only Backend.Append can
// store) reads and pops as empty, not as nothing.
func TestEmptyElement(t *testing.T) {
	b := newBackend(t, newPool(t))
	ctx := t.Context()
	if err := b.Append(ctx, "e", [][]byte{{}}, 0); err != nil {
		t.Fatal(err)
	}
	got, err := b.Items(ctx, "e", 0)
	if err != nil || len(got) != 1 || got[0] == nil || len(got[0]) != 0 {
		t.Fatalf("Items: %q, %v; want one empty element", got, err)
	}
	it, err := b.Pop(ctx, "e")
	if err != nil || it == nil || len(it) != 0 {
		t.Fatalf("Pop: %q (nil: %v), %v; want an empty element", it, it == nil, err)
	}
	if it, err := b.Pop(ctx, "e"); it != nil || err != nil {
		t.Fatalf("Pop of the emptied session: %q, %v; want nil, nil", it, err)
	}
}
