package agentsession

import (
	"bytes"
	"encoding/json"
	"strings"
	"testing"
	"unicode/utf8"
)

var scanSeeds = []string{
	`{}`, ` {} `, `{"a":1}`, `{"a" : 1}`, `{"a":[1,2,{"b":null}],"c":true,"d":false,"e":"x\"y\\z\/\b\f\n\r\t\u00e9"}`,
	`{"n":-0,"m":1.5e-10,"k":2E+3,"j":0.0}`, `{"a":01}`, `{"a":1.}`, `{"a":.5}`, `{"a":1e}`, `{"a":-}`, `{"a":+1}`,
	`{"a":"\x"}`, `{"a":"\u12"}`, `{"a":"\u12G4"}`, "{\"a\":\"\x01\"}", `{"a":tru}`, `{"a":nulls}`, `{"a":1,}`,
	`{,}`, `{"a"}`, `{"a":}`, `{1:2}`, `[]`, `"s"`, `1`, `null`, ``, ` `, `{`, `}`, `{"a":1}}`, `{"a":1} {}`,
	`{"a":[}`, `{"a":[1,]}`, `{"a":[1 2]}`, "{\"a\":\"\xff\"}", `{"a":"é🙂"}`, "{\n\t\"a\": [ ]\r\n}",
	strings.Repeat(`{"a":`, 100) + `1` + strings.Repeat(`}`, 100),
	strings.Repeat(`[`, 10001) + strings.Repeat(`]`, 10001),
	`{"a":` + strings.Repeat(`[`, 10000) + strings.Repeat(`]`, 10000) + `}`,
}

// checkScan compares scanObject with encoding/json on b.
func checkScan(t *testing.T, b []byte) {
	ok, compact := scanObject(b)
	trimmed := bytes.TrimLeft(b, " \t\r\n")
	wantOK := json.Valid(b) && len(trimmed) > 0 && trimmed[0] == '{'
	if ok != wantOK {
		t.Fatalf("scanObject(%q) ok = %v, encoding/json says %v", b, ok, wantOK)
	}
	if !ok {
		return
	}
	var buf bytes.Buffer
	if err := json.Compact(&buf, b); err != nil {
		t.Fatal(err)
	}
	if wantCompact := bytes.Equal(buf.Bytes(), b); compact != wantCompact {
		t.Fatalf("scanObject(%q) compact = %v, want %v", b, compact, wantCompact)
	}
}

func TestScanObject(t *testing.T) {
	for _, s := range scanSeeds {
		checkScan(t, []byte(s))
	}
}

func FuzzScanObject(f *testing.F) {
	for _, s := range scanSeeds {
		f.Add([]byte(s))
	}
	f.Fuzz(func(t *testing.T, b []byte) {
		checkScan(t, b)
		if ok, _ := scanObject(b); ok && utf8.Valid(b) {
			if _, err := compactObject(b); err != nil {
				t.Fatalf("compactObject(%q): %v", b, err)
			}
		}
	})
}

var benchItem = []byte(`{"type":"message","role":"assistant","id":"msg_0123456789abcdef","status":"completed","content":[{"type":"output_text","text":"Hello! How can I help you today? \u00e9","annotations":[]}]}`)

var longItem = []byte(`{"type":"message","role":"user","content":"` + strings.Repeat("The quick brown fox jumps over the lazy dog. ", 40) + `"}`)

func BenchmarkObjectCheck(b *testing.B) {
	b.Run("long/scanObject", func(b *testing.B) {
		b.SetBytes(int64(len(longItem)))
		for b.Loop() {
			if objectProblem(longItem) != nil {
				b.Fatal("invalid")
			}
		}
	})
	b.Run("scanObject", func(b *testing.B) {
		b.SetBytes(int64(len(benchItem)))
		for b.Loop() {
			if objectProblem(benchItem) != nil {
				b.Fatal("invalid")
			}
		}
	})
	b.Run("encoding-json-Valid", func(b *testing.B) {
		b.SetBytes(int64(len(benchItem)))
		for b.Loop() {
			if !json.Valid(benchItem) {
				b.Fatal("invalid")
			}
		}
	})
}
