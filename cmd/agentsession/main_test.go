package main

import (
	"bytes"
	"context"
	"fmt"
	"net/url"
	"os"
	"os/exec"
	"path/filepath"
	"slices"
	"strings"
	"testing"
	"time"

	"github.com/agentsession/agentsession/internal/testenv"
	"github.com/agentsession/agentsession/sessiontest"
	"github.com/redis/go-redis/v9"
)

// binary is the agentsession command, built once by TestMain.
var binary string

func TestMain(m *testing.M) {
	dir, err := os.MkdirTemp("", "agentsession-cli")
	if err != nil {
		panic(err)
	}
	binary = filepath.Join(dir, "agentsession")
	out, err := exec.Command("go", "build", "-o", binary, ".").CombinedOutput()
	if err != nil {
		os.Stderr.Write(out)
		os.RemoveAll(dir)
		os.Exit(1)
	}
	code := m.Run()
	os.RemoveAll(dir)
	os.Exit(code)
}

// cli runs the binary with args and stdin, with a fresh home (so the default
// store is a new SQLite file) unless env says otherwise, and returns stdout,
// stderr and the exit code.
type cli struct {
	t    *testing.T
	home string
	env  []string
}

func newCLI(t *testing.T) *cli {
	home := t.TempDir()
	return &cli{t: t, home: home, env: []string{"HOME=" + home, "XDG_DATA_HOME=" + filepath.Join(home, "data"), "PATH=" + os.Getenv("PATH")}}
}

func (c *cli) run(stdin string, args ...string) (stdout, stderr string, code int) {
	c.t.Helper()
	cmd := exec.CommandContext(c.t.Context(), binary, args...)
	cmd.Env = c.env
	cmd.Stdin = strings.NewReader(stdin)
	var o, e bytes.Buffer
	cmd.Stdout, cmd.Stderr = &o, &e
	err := cmd.Run()
	if ee, ok := err.(*exec.ExitError); ok {
		return o.String(), e.String(), ee.ExitCode()
	} else if err != nil {
		c.t.Fatal(err)
	}
	return o.String(), e.String(), 0
}

// ok runs and fails the test unless the exit code is 0.
func (c *cli) ok(stdin string, args ...string) string {
	c.t.Helper()
	out, errOut, code := c.run(stdin, args...)
	if code != 0 {
		c.t.Fatalf("agentsession %s: exit %d\nstdout:\n%s\nstderr:\n%s", strings.Join(args, " "), code, out, errOut)
	}
	return out
}

func TestDemoOnDefaultStore(t *testing.T) {
	c := newCLI(t)
	where := c.ok("", "where")
	want := "sqlite://" + filepath.Join(c.home, "data", "agentsession", "sessions.db")
	if strings.TrimSpace(where) != want {
		t.Fatalf("where = %q, want %q", where, want)
	}
	out := c.ok("", "demo")
	for _, step := range []string{
		`2. get_items():     [{"role":"user","content":"Hello"} {"role":"assistant","content":"Hi there!"}]`,
		`3. get_items(1):    [{"role":"assistant","content":"Hi there!"}]`,
		`4. pop_item():      {"role":"assistant","content":"Hi there!"}`,
		`5. clear_session(): 0 items left`,
	} {
		if !strings.Contains(out, step) {
			t.Fatalf("demo output lacks %q:\n%s", step, out)
		}
	}
	if _, err := os.Stat(filepath.Join(c.home, "data", "agentsession", "sessions.db")); err != nil {
		t.Fatalf("the default store was not made: %v", err)
	}
}

func TestItemsCommands(t *testing.T) {
	c := newCLI(t)
	c.ok(`[{"role":"user","content":"Hello"},{"type":"function_call","call_id":"c1","name":"add","arguments":"{\"a\":1}"}]`, "add", "u1")
	c.ok("{\"type\":\"function_call_output\",\"call_id\":\"c1\",\"output\":\"2\"}\n{\"role\":\"assistant\",\"content\":[{\"type\":\"output_text\",\"text\":\"It is 2.\"}]}\n", "add", "u1")
	c.ok(`{"role":"user","content":"other"}`, "add", "u2")

	show := c.ok("", "show", "u1")
	for _, want := range []string{"user: Hello", "-> function_call add({\"a\":1}) c1", "<- function_call_output c1: 2", "assistant: It is 2."} {
		if !strings.Contains(show, want) {
			t.Fatalf("show lacks %q:\n%s", want, show)
		}
	}
	if got := c.ok("", "show", "u1", "--limit", "1", "--json"); strings.TrimSpace(got) != `{"role":"assistant","content":[{"type":"output_text","text":"It is 2."}]}` {
		t.Fatalf("show --limit 1 --json = %q", got)
	}
	ls := c.ok("", "ls")
	if !strings.Contains(ls, "u1") || !strings.Contains(ls, "u2") || !strings.Contains(ls, "ITEMS") {
		t.Fatalf("ls:\n%s", ls)
	}
	if got := c.ok("", "ls", "--json"); !strings.Contains(got, `{"id":"u1","items":4`) {
		t.Fatalf("ls --json:\n%s", got)
	}
	if got := c.ok("", "pop", "u2"); strings.TrimSpace(got) != `{"role":"user","content":"other"}` {
		t.Fatalf("pop = %q", got)
	}
	if _, errOut, code := c.run("", "pop", "u2"); code != 0 || !strings.Contains(errOut, "empty") {
		t.Fatalf("pop of an empty session: exit %d, %q", code, errOut)
	}
	c.ok("", "clear", "u1", "--yes")
	if got := c.ok("", "show", "u1", "--json"); got != "" {
		t.Fatalf("show after clear = %q", got)
	}
}

func TestErrorsAndExitCodes(t *testing.T) {
	c := newCLI(t)
	c.ok(`{"role":"user","content":"kept"}`, "add", "s")
	for _, tc := range []struct {
		stdin string
		args  []string
		code  int
		text  string
	}{
		{"", []string{"frobnicate"}, 2, "unknown command"},
		{"", []string{"show"}, 2, "missing the session ID"},
		{"", []string{"show", "a", "b"}, 2, "one session ID"},
		{"", []string{"ls", "--bogus"}, 2, "bogus"},
		{`[{"role":"user","content":"x"}, [1]]`, []string{"add", "s"}, 1, "item 1"},
		{`{"role":`, []string{"add", "s"}, 1, "stdin"},
		{"", []string{"add", "s"}, 1, "no items"},
		{"", []string{"ls", "--store", "nosuch://x"}, 1, "unknown store URL scheme"},
		{"", []string{"ls", "--store", "redis://user:s3cret@127.0.0.1:1/0?bogus=1"}, 1, "xxxxx"},
	} {
		out, errOut, code := c.run(tc.stdin, tc.args...)
		if code != tc.code || !strings.Contains(errOut, tc.text) {
			t.Errorf("agentsession %s: exit %d, stderr %q; want exit %d and %q", strings.Join(tc.args, " "), code, errOut, tc.code, tc.text)
		}
		if strings.Contains(out+errOut, "s3cret") {
			t.Errorf("agentsession %s printed the password", strings.Join(tc.args, " "))
		}
	}
	// The rejected batches wrote nothing.
	if got := c.ok("", "show", "s", "--json"); strings.TrimSpace(got) != `{"role":"user","content":"kept"}` {
		t.Fatalf("after rejected adds, session s = %q", got)
	}
	help := c.ok("", "show", "--help")
	if !strings.Contains(help, "example:") || !strings.Contains(help, "--limit") {
		t.Fatalf("show --help:\n%s", help)
	}
}

// TestRealServers runs the demo and the item commands on a real Redis and a
// real PostgreSQL.
func TestRealServers(t *testing.T) {
	redisURL := testenv.Get(t, "AGENTSESSION_REDIS_URL", "a redis-server")
	pgURL := testenv.Get(t, "AGENTSESSION_POSTGRES_URL", "a PostgreSQL server")
	prefix := strings.ReplaceAll(strings.ToLower(sessiontest.UniquePrefix(t)), "-", "_")
	ru, _ := url.Parse(redisURL)
	q := ru.Query()
	q.Set("key_prefix", prefix)
	ru.RawQuery = q.Encode()
	pu, _ := url.Parse(pgURL)
	q = pu.Query()
	q.Set("create_schema", "true")
	q.Set("table_prefix", "cli_"+prefix[len(prefix)-12:]+"_")
	pu.RawQuery = q.Encode()
	stores := map[string]string{"redis": ru.String(), "postgres": pu.String()}
	if endpoint := testenv.Get(t, "AGENTSESSION_DYNAMODB_ENDPOINT", "dynalite"); endpoint != "" {
		stores["dynamodb"] = "dynamodb://cli_" + prefix[len(prefix)-12:] + "?create_table=true&region=us-east-1&endpoint=" + url.QueryEscape(endpoint)
	}
	for name, store := range stores {
		t.Run(name, func(t *testing.T) {
			c := newCLI(t)
			if out := c.ok("", "demo", "--store", store); !strings.Contains(out, "5. clear_session(): 0 items left") {
				t.Fatalf("demo:\n%s", out)
			}
			c.ok(`{"role":"user","content":"Hi"}`, "add", "cli-user", "--store", store)
			if got := c.ok("", "ls", "--json", "--store", store); !strings.Contains(got, `"id":"cli-user","items":1`) {
				t.Fatalf("ls --json:\n%s", got)
			}
			c.ok("", "clear", "cli-user", "--yes", "--store", store)
		})
	}
}

func TestListPages(t *testing.T) {
	c := newCLI(t)
	for _, id := range []string{"a", "b", "c"} {
		c.ok(`{"role":"user","content":"x"}`, "add", id)
	}
	out, errOut, code := c.run("", "ls", "--limit", "2")
	if code != 0 || !strings.Contains(out, "a ") || strings.Contains(out, "c ") || !strings.Contains(errOut, "--cursor ") {
		t.Fatalf("ls --limit 2: exit %d\n%s\n%s", code, out, errOut)
	}
	cursor := strings.Fields(errOut[strings.Index(errOut, "--cursor ")+len("--cursor "):])[0]
	if out := c.ok("", "ls", "--limit", "2", "--cursor", cursor); !strings.Contains(out, "c ") || strings.Contains(out, "a ") {
		t.Fatalf("second page:\n%s", out)
	}
	if out := c.ok("", "demo", "--store", "memory://"); !strings.Contains(out, "0 items left") {
		t.Fatalf("demo on memory://:\n%s", out)
	}
}

func TestExportImport(t *testing.T) {
	c := newCLI(t)
	c.ok(`[{"role":"user","content":"a"},{"role":"assistant","content":"b"}]`, "add", "one")
	c.ok(`{"role":"user","content":"c"}`, "add", "two\xffbin")
	dump := c.ok("", "export", "--all")
	if lines := strings.Count(dump, "\n"); lines != 2 || !strings.Contains(dump, `"id_base64"`) {
		t.Fatalf("export --all:\n%s", dump)
	}
	other := newCLI(t)
	other.ok(dump, "import")
	if again := other.ok("", "export", "--all"); again != dump {
		t.Fatalf("export after import:\n%s\nwant:\n%s", again, dump)
	}
	// Re-running adds nothing.
	_, errOut, code := other.run(dump, "import")
	if code != 0 || !strings.Contains(errOut, "0 sessions (0 items) copied, 2 already there") {
		t.Fatalf("second import: exit %d, %q", code, errOut)
	}
	// A session with other items is not overwritten without --overwrite.
	other.ok(`{"role":"user","content":"x"}`, "pop", "one")
	other.ok(`{"role":"user","content":"different"}`, "add", "one")
	if _, errOut, code := other.run(dump, "import"); code != 1 || !strings.Contains(errOut, "--overwrite") {
		t.Fatalf("import over a different session: exit %d, %q", code, errOut)
	}
	other.ok(dump, "import", "--overwrite")
	if got := other.ok("", "export", "one"); !strings.Contains(got, `"content":"b"`) {
		t.Fatalf("after --overwrite: %s", got)
	}
}

// TestMigrate copies 10,000 sessions of 20 items from Redis to SQLite and on
// to Redis under another prefix, re-runs each step, and compares every list.
func TestMigrate(t *testing.T) {
	const sessions, perSession = 10_000, 20
	redisURL := testenv.Get(t, "AGENTSESSION_REDIS_URL", "a redis-server")
	client := testenv.Redis(t)
	ctx := t.Context()
	base := sessiontest.UniquePrefix(t)
	from, to := base+":from", base+":to"
	t.Cleanup(func() {
		for _, p := range []string{from, to} {
			iter := client.Scan(context.Background(), 0, p+":*", 1000).Iterator()
			for iter.Next(context.Background()) {
				client.Unlink(context.Background(), iter.Val())
			}
		}
	})
	for start := 0; start < sessions; start += 500 {
		p := client.Pipeline()
		for i := start; i < start+500; i++ {
			items := make([]any, perSession)
			for j := range items {
				items[j] = fmt.Sprintf(`{"role":"user","content":"session %d item %d"}`, i, j)
			}
			p.RPush(ctx, fmt.Sprintf("%s:s%05d", from, i), items...)
			if i%10 == 0 {
				p.Expire(ctx, fmt.Sprintf("%s:s%05d", from, i), time.Hour)
			}
		}
		if _, err := p.Exec(ctx); err != nil {
			t.Fatal(err)
		}
	}
	withPrefix := func(prefix string) string {
		u, _ := url.Parse(redisURL)
		q := u.Query()
		q.Set("key_prefix", prefix)
		u.RawQuery = q.Encode()
		return u.String()
	}
	sqlite := "sqlite://" + filepath.Join(t.TempDir(), "migrated.db")
	c := newCLI(t)
	for _, step := range []struct{ from, to string }{{withPrefix(from), sqlite}, {sqlite, withPrefix(to)}} {
		_, errOut, code := c.run("", "migrate", "--from", step.from, "--to", step.to, "--all")
		if code != 0 || !strings.Contains(errOut, fmt.Sprintf("%d sessions (%d items) copied, 0 already there", sessions, sessions*perSession)) {
			t.Fatalf("migrate %s -> %s: exit %d\n%s", step.from, step.to, code, errOut)
		}
		if strings.Contains(errOut, "[") {
			t.Fatalf("a progress bar was drawn with stderr not a terminal:\n%s", errOut)
		}
		_, errOut, code = c.run("", "migrate", "--from", step.from, "--to", step.to, "--all")
		if code != 0 || !strings.Contains(errOut, fmt.Sprintf("0 sessions (0 items) copied, %d already there", sessions)) {
			t.Fatalf("re-run of migrate %s -> %s: exit %d\n%s", step.from, step.to, code, errOut)
		}
	}
	for start := 0; start < sessions; start += 500 {
		p := client.Pipeline()
		var a, b []*redis.StringSliceCmd
		var ttls []*redis.DurationCmd
		for i := start; i < start+500; i++ {
			a = append(a, p.LRange(ctx, fmt.Sprintf("%s:s%05d", from, i), 0, -1))
			b = append(b, p.LRange(ctx, fmt.Sprintf("%s:s%05d", to, i), 0, -1))
			ttls = append(ttls, p.TTL(ctx, fmt.Sprintf("%s:s%05d", to, i)))
		}
		if _, err := p.Exec(ctx); err != nil {
			t.Fatal(err)
		}
		for k := range a {
			i := start + k
			if x, y := a[k].Val(), b[k].Val(); len(x) != perSession || !slices.Equal(x, y) {
				t.Fatalf("session s%05d: %d items at the start, %d after two migrations, or they differ", i, len(x), len(y))
			}
			if ttl := ttls[k].Val(); (i%10 == 0) != (ttl > 0) {
				t.Fatalf("session s%05d: TTL %v after migrating (set at the start: %v)", i, ttl, i%10 == 0)
			}
		}
	}
}

// TestProgressBarOnTerminal runs migrate in tmux, whose pane is a terminal,
// and reads the bar off the screen.
func TestProgressBarOnTerminal(t *testing.T) {
	tmux := testenv.Get(t, "AGENTSESSION_TMUX", "tmux (apt-get install tmux)")
	c := newCLI(t)
	dir := t.TempDir()
	src, dst := "sqlite://"+filepath.Join(dir, "a.db"), "sqlite://"+filepath.Join(dir, "b.db")
	var lines strings.Builder
	for i := range 300 {
		fmt.Fprintf(&lines, `{"id":"s%03d","items":[{"role":"user","content":"hi"}]}`+"\n", i)
	}
	c.ok(lines.String(), "import", "--store", src)

	session := "agentsession-test-" + filepath.Base(dir)
	done := filepath.Join(dir, "done")
	script := fmt.Sprintf("env HOME=%s %s migrate --from %s --to %s --all; touch %s; sleep 30", c.home, binary, src, dst, done)
	if out, err := exec.Command(tmux, "new-session", "-d", "-s", session, "-x", "120", "-y", "10", script).CombinedOutput(); err != nil {
		t.Fatalf("tmux new-session: %v\n%s", err, out)
	}
	t.Cleanup(func() { exec.Command(tmux, "kill-session", "-t", session).Run() })
	deadline := time.Now().Add(60 * time.Second)
	for {
		if _, err := os.Stat(done); err == nil {
			break
		}
		if time.Now().After(deadline) {
			t.Fatal("migrate in tmux did not finish within 60s")
		}
		time.Sleep(100 * time.Millisecond)
	}
	screen, err := exec.Command(tmux, "capture-pane", "-p", "-t", session).Output()
	if err != nil {
		t.Fatal(err)
	}
	if !strings.Contains(string(screen), "[##############################] 300/300 sessions") ||
		!strings.Contains(string(screen), "300 sessions (300 items) copied") {
		t.Fatalf("the terminal shows no finished progress bar:\n%s", screen)
	}
}

func TestTTLCommand(t *testing.T) {
	c := newCLI(t)
	c.ok(`{"role":"user","content":"hi"}`, "add", "s")
	if got := c.ok("", "ttl", "s"); strings.TrimSpace(got) != "no expiry" {
		t.Fatalf("ttl = %q", got)
	}
	if got := c.ok("", "ttl", "s", "2h"); strings.TrimSpace(got) != "2h0m0s" && strings.TrimSpace(got) != "1h59m59s" {
		t.Fatalf("ttl s 2h = %q", got)
	}
	if got := c.ok("", "ttl", "s", "0"); strings.TrimSpace(got) != "no expiry" {
		t.Fatalf("ttl s 0 = %q", got)
	}
	if _, errOut, code := c.run("", "ttl", "nosuch"); code != 1 || !strings.Contains(errOut, "no items") {
		t.Fatalf("ttl of a missing session: exit %d, %q", code, errOut)
	}
	if _, _, code := c.run("", "ttl", "s", "-5m"); code != 2 {
		t.Fatalf("ttl s -5m: exit %d, want 2", code)
	}
}

// TestClearAsksOnTerminal answers clear's question in tmux: "n" keeps the
// session, "y" clears it.
func TestClearAsksOnTerminal(t *testing.T) {
	tmux := testenv.Get(t, "AGENTSESSION_TMUX", "tmux (apt-get install tmux)")
	c := newCLI(t)
	c.ok(`{"role":"user","content":"keep me"}`, "add", "s")
	for i, answer := range []string{"n", "y"} {
		session := fmt.Sprintf("agentsession-clear-%d-%s", i, filepath.Base(c.home))
		script := fmt.Sprintf("env HOME=%s XDG_DATA_HOME=%s %s clear s; echo EXIT=$?; sleep 30", c.home, filepath.Join(c.home, "data"), binary)
		if out, err := exec.Command(tmux, "new-session", "-d", "-s", session, "-x", "100", "-y", "10", script).CombinedOutput(); err != nil {
			t.Fatalf("tmux: %v\n%s", err, out)
		}
		t.Cleanup(func() { exec.Command(tmux, "kill-session", "-t", session).Run() })
		screen := waitScreen(t, tmux, session, "[y/N]")
		if !strings.Contains(screen, `delete every item of session s?`) {
			t.Fatalf("clear did not ask:\n%s", screen)
		}
		if out, err := exec.Command(tmux, "send-keys", "-t", session, answer, "Enter").CombinedOutput(); err != nil {
			t.Fatalf("tmux send-keys: %v\n%s", err, out)
		}
		screen = waitScreen(t, tmux, session, "EXIT=")
		items := c.ok("", "show", "s", "--json")
		switch answer {
		case "n":
			if !strings.Contains(screen, "not cleared") || !strings.Contains(screen, "EXIT=1") || !strings.Contains(items, "keep me") {
				t.Fatalf("answering n:\n%s\nitems: %q", screen, items)
			}
		case "y":
			if !strings.Contains(screen, "EXIT=0") || items != "" {
				t.Fatalf("answering y:\n%s\nitems: %q", screen, items)
			}
		}
	}
}

// waitScreen waits until tmux's pane shows want, and returns the screen.
func waitScreen(t *testing.T, tmux, session, want string) string {
	t.Helper()
	deadline := time.Now().Add(30 * time.Second)
	for {
		screen, err := exec.Command(tmux, "capture-pane", "-p", "-t", session).Output()
		if err == nil && strings.Contains(string(screen), want) {
			return string(screen)
		}
		if time.Now().After(deadline) {
			t.Fatalf("tmux pane never showed %q:\n%s", want, screen)
		}
		time.Sleep(50 * time.Millisecond)
	}
}
