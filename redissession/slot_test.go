package redissession

import "testing"

func TestSlot(t *testing.T) {
	// Figures from the Redis Cluster specification and CLUSTER KEYSLOT.
	for key, want := range map[string]uint16{
		"123456789":     0x31C3 % 16384, // the CRC16/XMODEM check value
		"foo":           12182,
		"{user1000}.a":  slot("user1000"),
		"foo{}{bar}":    slot("foo{}{bar}"),
		"foo{{bar}}zap": slot("{bar"),
		"foo{bar}{zap}": slot("bar"),
	} {
		if got := slot(key); got != want {
			t.Errorf("slot(%q) = %d, want %d", key, got, want)
		}
	}
}

func FuzzSameSlotKey(f *testing.F) {
	for _, s := range []string{"a:b", "p:{x}", "p:}{", "p:a}b", "p:{}", "p:{", "}", "openai_agents_session:user-123"} {
		f.Add(s)
	}
	f.Fuzz(func(t *testing.T, key string) {
		k := sameSlotKey(key, ":idem:tok")
		if slot(k) != slot(key) {
			t.Fatalf("sameSlotKey(%q) = %q, slot %d, want %d", key, k, slot(k), slot(key))
		}
		if k == key {
			t.Fatalf("sameSlotKey(%q) returned the key itself", key)
		}
	})
}
