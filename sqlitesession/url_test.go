package sqlitesession_test

import (
	"net/url"
	"os"
	"path/filepath"
	"testing"
	"time"

	"github.com/agentsession/agentsession"
	"github.com/agentsession/agentsession/sqlitesession"
)

func TestParseURL(t *testing.T) {
	for _, tc := range []struct {
		url     string
		path    string
		opts    sqlitesession.Options
		wantErr bool
	}{
		{url: "sqlite:///abs/path/file.db", path: "/abs/path/file.db"},
		{url: "sqlite:relative/path.db", path: "relative/path.db"},
		{url: "sqlite:file.db", path: "file.db"},
		{url: "sqlite://./rel.db", path: "./rel.db"},
		{url: "sqlite://../up/rel.db", path: "../up/rel.db"},
		{url: "sqlite:///a%20b/c%3Fd.db", path: "/a b/c?d.db"},
		{url: "sqlite:a%20b.db", path: "a b.db"},
		{url: "sqlite:///x.db?table_prefix=app_&busy_timeout=2s", path: "/x.db", opts: sqlitesession.Options{TablePrefix: "app_", BusyTimeout: 2 * time.Second}},
		{url: "sqlite:x.db?busy_timeout=10", path: "x.db", opts: sqlitesession.Options{BusyTimeout: 10 * time.Second}},
		{url: "sqlite:///x.db?key_prefix=a", wantErr: true},
		{url: "sqlite:///x.db?ttl=1h", wantErr: true}, // OpenStore takes it out first
		{url: "sqlite:///x.db?table_prefix=a-b", wantErr: true},
		{url: "sqlite:///x.db?busy_timeout=soon", wantErr: true},
		{url: "sqlite://host/x.db", wantErr: true},
		{url: "sqlite://user@/x.db", wantErr: true},
		{url: "sqlite://", wantErr: true},
		{url: "sqlite:///", wantErr: true},
		{url: "sqlite:%zz.db", wantErr: true},
		{url: "memory:///x.db", wantErr: true},
	} {
		u, err := url.Parse(tc.url)
		if err != nil {
			t.Fatalf("url.Parse(%q): %v", tc.url, err)
		}
		path, opts, err := sqlitesession.ParseURL(u)
		if tc.wantErr {
			if err == nil {
				t.Errorf("ParseURL(%q) = %q, %+v; want an error", tc.url, path, opts)
			}
			continue
		}
		if err != nil || path != tc.path || *opts != tc.opts {
			t.Errorf("ParseURL(%q) = %q, %+v, %v; want %q, %+v", tc.url, path, opts, err, tc.path, tc.opts)
		}
	}
}

// TestOpenStore opens each form of URL through agentsession.OpenStore and
// checks where the database file lands.
func TestOpenStore(t *testing.T) {
	dir := t.TempDir()
	t.Chdir(dir)
	for _, tc := range []struct{ url, file string }{
		{"sqlite://" + filepath.ToSlash(filepath.Join(dir, "abs", "a.db")), filepath.Join(dir, "abs", "a.db")},
		{"sqlite:rel/b.db", filepath.Join(dir, "rel", "b.db")},
		{"sqlite://./c.db?table_prefix=c_&ttl=1h&sliding_ttl=true", filepath.Join(dir, "c.db")},
	} {
		store, err := agentsession.OpenStore(t.Context(), tc.url)
		if err != nil {
			t.Fatalf("OpenStore(%q): %v", tc.url, err)
		}
		s, err := store.Session("id")
		if err != nil {
			t.Fatal(err)
		}
		addItems(t, s, `{"a":1}`)
		if got := getItems(t, s); len(got) != 1 {
			t.Fatalf("%s: read back %v", tc.url, got)
		}
		if err := store.Close(); err != nil {
			t.Fatal(err)
		}
		if _, err := os.Stat(tc.file); err != nil {
			t.Fatalf("OpenStore(%q) made no %s: %v", tc.url, tc.file, err)
		}
	}
	if store, err := agentsession.OpenStore(t.Context(), "sqlite:x.db?cache=shared"); err == nil {
		store.Close()
		t.Fatal("OpenStore with an unknown parameter: no error")
	}
	if _, err := os.Stat(filepath.Join(dir, "x.db")); !os.IsNotExist(err) {
		t.Fatalf("OpenStore with an unknown parameter made a file: %v", err)
	}
}
