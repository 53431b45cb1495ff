package sqlitesession_test

import (
	"path/filepath"
	"testing"

	"github.com/agentsession/agentsession"
	"github.com/agentsession/agentsession/sessiontest"
	"github.com/agentsession/agentsession/sqlitesession"
)

// open opens a Backend on a new database file in t's temporary directory and
// closes it when t ends.
func open(t testing.TB, opts *sqlitesession.Options) (*sqlitesession.Backend, string) {
	t.Helper()
	path := filepath.Join(t.TempDir(), "sessions.db")
	b, err := sqlitesession.Open(t.Context(), path, opts)
	if err != nil {
		t.Fatalf("Open(%q): %v", path, err)
	}
	t.Cleanup(func() {
		if err := b.Close(); err != nil {
			t.Errorf("Close: %v", err)
		}
	})
	return b, path
}

func TestConformance(t *testing.T) {
	sessiontest.Run(t, func(t *testing.T) (agentsession.Backend, error) {
		b, _ := open(t, nil)
		return b, nil
	})
}
