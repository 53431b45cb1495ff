package pgsession_test

import (
	"errors"
	"net/url"
	"strings"
	"testing"

	"github.com/agentsession/agentsession"
	"github.com/agentsession/agentsession/pgsession"
	"github.com/jackc/pgx/v5/pgconn"
)

// withQuery returns raw with the query parameters q added.
func withQuery(t testing.TB, raw string, q map[string]string) string {
	t.Helper()
	u, err := url.Parse(raw)
	if err != nil {
		t.Fatal(err)
	}
	v := u.Query()
	for k, val := range q {
		v.Set(k, val)
	}
	u.RawQuery = v.Encode()
	return u.String()
}

func TestOpenStore(t *testing.T) {
	raw := serverURL(t)
	pool := newPool(t) // to drop the tables
	prefix := uniquePrefix(t)
	dropTables(t, pool, prefix)
	ctx := t.Context()

	// Without create_schema the tables are not made.
	store, err := agentsession.OpenStore(ctx, withQuery(t, raw, map[string]string{"table_prefix": prefix}))
	if err != nil {
		t.Fatalf("OpenStore: %v", err)
	}
	s, err := store.Session("u")
	if err != nil {
		t.Fatal(err)
	}
	if err := s.AddItems(ctx, items("x", 1)); !errors.Is(err, pgsession.ErrNoSchema) {
		t.Fatalf("AddItems without create_schema: %v, want ErrNoSchema", err)
	}
	store.Close()

	for _, scheme := range []string{"postgres", "postgresql"} {
		u := withQuery(t, raw, map[string]string{"table_prefix": prefix, "create_schema": "true", "ttl": "1h", "pool_max_conns": "2"})
		u = scheme + strings.TrimPrefix(u, strings.SplitN(u, ":", 2)[0])
		store, err := agentsession.OpenStore(ctx, u)
		if err != nil {
			t.Fatalf("OpenStore(%s): %v", agentsession.Redact(u), err)
		}
		b, ok := store.Backend.(*pgsession.Backend)
		if !ok || b.TablePrefix() != prefix || store.Options.TTL.Hours() != 1 {
			t.Fatalf("OpenStore(%s): backend %T, options %+v", agentsession.Redact(u), store.Backend, store.Options)
		}
		s, err := store.Session("u-" + scheme)
		if err != nil {
			t.Fatal(err)
		}
		mustAdd(t, s, items(scheme, 2))
		if got := mustGet(t, s, 0); !same(got, items(scheme, 2)) {
			t.Fatalf("through %s: %s", scheme, got)
		}
		if err := store.Close(); err != nil {
			t.Fatal(err)
		}
		// Close closed the pool the opener made.
		if _, err := s.GetItems(ctx, 0); err == nil {
			t.Fatal("GetItems after Store.Close succeeded")
		}
	}
	if got := count(t, pool, "SELECT count(*) FROM "+prefix+"sessions"); got != 2 {
		t.Fatalf("%d sessions stored through the URLs, want 2", got)
	}
}

func TestOpenStoreErrors(t *testing.T) {
	raw := serverURL(t)
	u, err := url.Parse(raw)
	if err != nil {
		t.Fatal(err)
	}
	password, _ := u.User.Password()
	wrong := *u
	wrong.User = url.UserPassword(u.User.Username(), "s3cret-wrong-password")
	for _, tc := range []struct {
		name, url string
		secret    string
		check     func(error) bool
	}{
		{"unknown parameter", withQuery(t, raw, map[string]string{"no_such_parameter": "1"}), password, func(err error) bool {
			var pe *pgconn.PgError
			return errors.As(err, &pe) && pe.Code == "42704" // undefined_object: unrecognized configuration parameter
		}},
		{"bad table prefix", withQuery(t, raw, map[string]string{"table_prefix": "Bad-Prefix"}), password, func(err error) bool {
			return errors.Is(err, agentsession.ErrInvalidOptions)
		}},
		{"bad create_schema", withQuery(t, raw, map[string]string{"create_schema": "maybe"}), password, nil},
		{"wrong password", wrong.String(), "s3cret-wrong-password", func(err error) bool {
			var pe *pgconn.PgError
			return errors.As(err, &pe) && pe.Code == "28P01" // invalid_password
		}},
		{"bad pgx parameter", withQuery(t, raw, map[string]string{"pool_max_conns": "many"}), password, nil},
	} {
		t.Run(strings.ReplaceAll(tc.name, " ", "_"), func(t *testing.T) {
			store, err := agentsession.OpenStore(t.Context(), tc.url)
			if err == nil {
				store.Close()
				t.Fatalf("OpenStore succeeded")
			}
			if tc.check != nil && !tc.check(err) {
				t.Fatalf("OpenStore: %v: not the error wanted", err)
			}
			if tc.secret != "" && strings.Contains(err.Error(), tc.secret) {
				t.Fatalf("OpenStore's error shows the password: %v", err)
			}
			t.Logf("%v", err)
		})
	}
}
