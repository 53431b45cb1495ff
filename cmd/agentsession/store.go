package main

import (
	"context"
	"fmt"
	"net/url"
	"os"
	"path/filepath"

	"github.com/agentsession/agentsession"
)

// storeURL is the store the command line names: --store, else
// $AGENTSESSION_STORE, else the default SQLite file.
func (e *env) storeURL() (string, error) {
	if e.store != "" {
		return e.store, nil
	}
	if s := e.getenv("AGENTSESSION_STORE"); s != "" {
		return s, nil
	}
	path, err := e.defaultPath()
	if err != nil {
		return "", err
	}
	return (&url.URL{Scheme: "sqlite", Path: path}).String(), nil
}

// defaultPath is the default SQLite file, by the XDG rules:
// $XDG_DATA_HOME/agentsession/sessions.db, XDG_DATA_HOME defaulting to
// ~/.local/share.
func (e *env) defaultPath() (string, error) {
	dir := e.getenv("XDG_DATA_HOME")
	if dir == "" || !filepath.IsAbs(dir) { // the spec says to ignore a relative one
		home := e.getenv("HOME")
		if home == "" {
			h, err := os.UserHomeDir()
			if err != nil {
				return "", fmt.Errorf("no data directory: set XDG_DATA_HOME or HOME, or give --store: %w", err)
			}
			home = h
		}
		dir = filepath.Join(home, ".local", "share")
	}
	return filepath.Join(dir, "agentsession", "sessions.db"), nil
}

// open opens the store, making the default file's directory on first use.
func (e *env) open(ctx context.Context) (*agentsession.Store, error) {
	u, err := e.storeURL()
	if err != nil {
		return nil, err
	}
	if e.store == "" && e.getenv("AGENTSESSION_STORE") == "" {
		path, _ := e.defaultPath()
		if err := os.MkdirAll(filepath.Dir(path), 0o700); err != nil {
			return nil, err
		}
	}
	return agentsession.OpenStore(ctx, u)
}
