// Package testenv finds the servers that tests run against. A test that needs
// a server reads its address from an environment variable: when it is unset
// the test is skipped on a developer's machine, with a message that says how
// to provide one, and fails when CI=true, so that CI never passes by skipping.
package testenv

import (
	"os"
	"strconv"
	"testing"
)

// Get returns the value of the environment variable name, or skips t (fails
// it under CI) when name is unset. what says what the variable names, for the
// message.
func Get(t testing.TB, name, what string) string {
	t.Helper()
	if v := os.Getenv(name); v != "" {
		return v
	}
	msg := name + " is not set: this test needs " + what +
		". `bash .ci/run` starts the servers and runs every test"
	if InCI() {
		t.Fatal(msg + " (CI=true, so a missing server fails the test)")
	}
	t.Skip(msg)
	return ""
}

// InCI reports whether the tests run under CI (the CI environment variable is
// true).
func InCI() bool {
	ci, _ := strconv.ParseBool(os.Getenv("CI"))
	return ci
}
