package openaisession_test

import (
	"bytes"
	"context"
	"encoding/json"
	"os"
	"os/exec"
	"strings"
	"testing"
	"time"

	"github.com/agentsession/agentsession"
	"github.com/agentsession/agentsession/internal/testenv"
	"github.com/agentsession/agentsession/openaisession"
	"github.com/agentsession/agentsession/redissession"
	"github.com/agentsession/agentsession/sessiontest"
)

// python runs testdata/pysession.py with args and stdin, under the Python 3
// named by AGENTSESSION_PYTHON, which must have redis-py (Debian's
// python3-redis), and returns its stdout.
func python(t *testing.T, stdin []byte, args ...string) []byte {
	t.Helper()
	py := testenv.Get(t, "AGENTSESSION_PYTHON", "a Python 3 with redis-py (apt-get install python3-redis; then /usr/bin/python3)")
	cmd := exec.CommandContext(t.Context(), py, append([]string{"testdata/pysession.py"}, args...)...)
	cmd.Stdin = bytes.NewReader(stdin)
	var stderr bytes.Buffer
	cmd.Stderr = &stderr
	out, err := cmd.Output()
	if err != nil {
		t.Fatalf("pysession.py %s: %v\n%s", strings.Join(args, " "), err, stderr.Bytes())
	}
	return out
}

// TestPythonReadsGo: Go writes every item kind with a TTL; the Python
// reference layout reads each back equal, with the TTL set.
func TestPythonReadsGo(t *testing.T) {
	ctx := t.Context()
	url := os.Getenv("AGENTSESSION_REDIS_URL")
	client := testenv.Redis(t)
	prefix := sessiontest.UniquePrefix(t)
	store, err := redissession.New(client, &redissession.Options{KeyPrefix: prefix})
	if err != nil {
		t.Fatal(err)
	}
	s, err := openaisession.New(store, "go-wrote", &agentsession.Options{TTL: time.Hour})
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { client.Unlink(context.Background(), store.Key("go-wrote")) })
	names, raw := kinds(t)
	if err := s.AddItems(ctx, decodeAll(t, raw)); err != nil {
		t.Fatal(err)
	}

	var got struct {
		Items []json.RawMessage `json:"items"`
		TTL   int               `json:"ttl"`
	}
	if err := json.Unmarshal(python(t, nil, "read", url, prefix, "go-wrote"), &got); err != nil {
		t.Fatal(err)
	}
	if len(got.Items) != len(raw) {
		t.Fatalf("Python read %d items, want %d", len(got.Items), len(raw))
	}
	for i := range raw {
		if !jsonEqual(t, got.Items[i], raw[i]) {
			t.Errorf("%s: Python read\n %s\nwant\n %s", names[i], got.Items[i], raw[i])
		}
	}
	if got.TTL <= 3590 || got.TTL > 3600 {
		t.Errorf("Python sees TTL %d s, want just under 3600", got.TTL)
	}
}

// TestGoReadsPython: Python writes every item kind (json.dumps, with spaces)
// with a TTL; Go reads each back, typed, and marshals it to the same JSON.
func TestGoReadsPython(t *testing.T) {
	ctx := t.Context()
	url := os.Getenv("AGENTSESSION_REDIS_URL")
	client := testenv.Redis(t)
	prefix := sessiontest.UniquePrefix(t)
	store, err := redissession.New(client, &redissession.Options{KeyPrefix: prefix})
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { client.Unlink(context.Background(), store.Key("py-wrote")) })
	names, raw := kinds(t)
	all, err := json.Marshal(raw)
	if err != nil {
		t.Fatal(err)
	}
	python(t, all, "write", url, prefix, "py-wrote", "600")

	first := client.LIndex(ctx, store.Key("py-wrote"), 0).Val()
	if !strings.Contains(first, `": "`) {
		t.Fatalf("the first element %q is not in json.dumps's spacing: did Python write it?", first)
	}
	if ttl := client.PTTL(ctx, store.Key("py-wrote")).Val(); ttl <= 590*time.Second || ttl > 600*time.Second {
		t.Fatalf("PTTL after Python's write = %v, want just under 600s", ttl)
	}
	s, err := openaisession.New(store, "py-wrote", nil)
	if err != nil {
		t.Fatal(err)
	}
	got, err := s.GetItems(ctx, 0)
	if err != nil {
		t.Fatal(err)
	}
	sameItems(t, names, got, raw)
	recent, err := s.GetItems(ctx, 3) // a custom tool call, its output, an item reference
	if err != nil {
		t.Fatal(err)
	}
	sameItems(t, names[len(names)-3:], recent, raw[len(raw)-3:])
}
