package urlopt

import (
	"net/url"
	"strings"
	"testing"
	"time"
)

func TestQuery(t *testing.T) {
	u, _ := url.Parse("x://h/?ttl=90&d=1h30m&b=true&n=7&s=v&extra=1&more=2")
	q := New(u)
	if d, err := q.Duration("ttl", 0); err != nil || d != 90*time.Second {
		t.Fatalf("ttl = %v, %v", d, err)
	}
	if d, err := q.Duration("d", 0); err != nil || d != 90*time.Minute {
		t.Fatalf("d = %v, %v", d, err)
	}
	if d, err := q.Duration("absent", time.Second); err != nil || d != time.Second {
		t.Fatalf("absent = %v, %v", d, err)
	}
	if b, err := q.Bool("b", false); err != nil || !b {
		t.Fatalf("b = %v, %v", b, err)
	}
	if n, err := q.Int("n", 0); err != nil || n != 7 {
		t.Fatalf("n = %v, %v", n, err)
	}
	if s := q.String("s", ""); s != "v" {
		t.Fatalf("s = %q", s)
	}
	if rest := q.Rest(); len(rest) != 2 || rest.Get("extra") != "1" {
		t.Fatalf("Rest = %v", rest)
	}
	if err := q.Done(); err == nil || !strings.Contains(err.Error(), "extra, more") {
		t.Fatalf("Done = %v, want both unknown parameters named", err)
	}
	bad, _ := url.Parse("x://h/?d=soon&b=maybe&n=x")
	q = New(bad)
	if _, err := q.Duration("d", 0); err == nil {
		t.Error("Duration(soon): no error")
	}
	if _, err := q.Bool("b", false); err == nil {
		t.Error("Bool(maybe): no error")
	}
	if _, err := q.Int("n", 0); err == nil {
		t.Error("Int(x): no error")
	}
	if err := q.Done(); err != nil {
		t.Errorf("Done after reading all = %v", err)
	}
}
