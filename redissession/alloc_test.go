package redissession

import (
	"regexp"
	"strings"
	"testing"
)

// TestTokenKey checks that tokenKey, which builds the common shapes itself,
// gives what sameSlotKey gives for its token, in every shape of key.
func TestTokenKey(t *testing.T) {
	hexToken := regexp.MustCompile(`^[0-9a-f]{32}$`)
	for _, key := range []string{"a:b", "p:{x}", "p:}{", "p:a}b", "p:{}", "p:{", "}", "", "openai_agents_session:user-123"} {
		k := tokenKey(key)
		i := strings.LastIndex(k, tokenInfix)
		if i < 0 {
			t.Fatalf("tokenKey(%q) = %q, without %q", key, k, tokenInfix)
		}
		// Where sameSlotKey must search, it appends ":n" after the token.
		token, _, _ := strings.Cut(k[i+len(tokenInfix):], ":")
		if !hexToken.MatchString(token) {
			t.Fatalf("tokenKey(%q) = %q: token %q is not 32 hex digits", key, k, token)
		}
		if want := sameSlotKey(key, tokenInfix+token); k != want {
			t.Errorf("tokenKey(%q) = %q, want %q", key, k, want)
		}
		if tokenKey(key) == k {
			t.Errorf("tokenKey(%q) gave %q twice", key, k)
		}
	}
}

// TestItemArg checks that go-redis's command text shows an item as it would a
// []byte.
func TestItemArg(t *testing.T) {
	item := []byte(`{"a":1}`)
	arg := (*itemArg)(&item)
	if b, err := arg.MarshalBinary(); err != nil || string(b) != `{"a":1}` {
		t.Errorf("MarshalBinary() = %q, %v", b, err)
	}
	if s := arg.String(); s != `{"a":1}` {
		t.Errorf("String() = %q", s)
	}
}
