package agentsession

import (
	"errors"
	"slices"
	"strings"
	"testing"
)

func TestCompactObject(t *testing.T) {
	for _, tc := range []struct {
		in      string
		want    string
		wantErr string // part of the error; "" for none
	}{
		{`{}`, `{}`, ""},
		{`{"a":1}`, `{"a":1}`, ""},
		{" {\n \"a\" : [ 1 , 2 ] } \n", `{"a":[1,2]}`, ""},
		{`{"s":"a  b"}`, `{"s":"a  b"}`, ""},
		{`{"u":"\u00e9 é 🙂 <&>"}`, `{"u":"\u00e9 é 🙂 <&>"}`, ""},
		{``, "", "empty"},
		{"  \t", "", "empty"},
		{`[1]`, "", "a JSON array, not an object"},
		{`"s"`, "", "a JSON string, not an object"},
		{`-1.5`, "", "a JSON number, not an object"},
		{`true`, "", "a JSON boolean, not an object"},
		{`null`, "", "a JSON null, not an object"},
		{`nul`, "", `invalid JSON starting "nul"`},
		{`hello there, this is long`, "", `invalid JSON starting "hello there, thi"`},
		{`{"a":`, "", "invalid JSON"},
		{`{"a":1}{}`, "", "invalid JSON"},
		{"{\"a\":\"\xff\"}", "", "not valid UTF-8"},
	} {
		got, err := compactObject([]byte(tc.in))
		if tc.wantErr == "" {
			if err != nil || string(got) != tc.want {
				t.Errorf("compactObject(%q) = %q, %v; want %q", tc.in, got, err, tc.want)
			}
			continue
		}
		if err == nil || !strings.Contains(err.Error(), tc.wantErr) {
			t.Errorf("compactObject(%q) error = %v, want one containing %q", tc.in, err, tc.wantErr)
		}
		if problem := objectProblem([]byte(tc.in)); problem == nil {
			t.Errorf("objectProblem(%q) = nil, want an error", tc.in)
		}
	}
}

func TestCompactObjectReusesCompactInput(t *testing.T) {
	in := []byte(`{"role":"user","content":"hi"}`)
	got, err := compactObject(in)
	if err != nil || &got[0] != &in[0] {
		t.Fatalf("compactObject copied input that was compact already")
	}
	if n := testing.AllocsPerRun(100, func() { _, _ = compactObject(in) }); n != 0 {
		t.Fatalf("compactObject of compact input: %v allocations, want 0", n)
	}
}

func TestShortID(t *testing.T) {
	if got := shortID("user-1"); got != `"user-1"` {
		t.Errorf("shortID = %s", got)
	}
	long := strings.Repeat("é", 100) // 200 bytes; a cut at 64 falls inside a rune
	got := shortID(long)
	if !strings.HasSuffix(got, "... (200 bytes)") || strings.Contains(got, `\x`) {
		t.Errorf("shortID(200 bytes) = %s", got)
	}
}

func TestCorruptErrorMessage(t *testing.T) {
	one := &CorruptError{Items: []*ItemError{{Index: 2, Raw: []byte("x"), Err: errors.New("bad")}}}
	if got := one.Error(); got != "1 stored element is not a JSON object: item 2: bad" {
		t.Errorf("one.Error() = %q", got)
	}
	var many CorruptError
	for i := range 5 {
		many.Items = append(many.Items, &ItemError{Index: -i - 1, Err: errors.New("bad")})
	}
	want := "5 stored elements are not JSON objects: item -1: bad; item -2: bad; item -3: bad; and 2 more"
	if got := many.Error(); got != want {
		t.Errorf("many.Error() = %q, want %q", got, want)
	}
	if !errors.Is(one, ErrCorruptItem) || !errors.Is(one.Items[0], ErrInvalidItem) {
		t.Error("CorruptError or ItemError does not match its sentinel")
	}
}

func TestSortStored(t *testing.T) {
	raw := [][]byte{[]byte(`{"a":0}`), []byte(`x`), []byte(`{"a":1}`), []byte(`{"a":2}`), []byte(`y`)}
	for _, tc := range []struct {
		window, limit int
		items         []string
		bad           []int
	}{
		{0, 0, []string{`{"a":0}`, `{"a":1}`, `{"a":2}`}, []int{1, 4}},
		{5, 1, []string{`{"a":2}`}, []int{-1}},
		{5, 2, []string{`{"a":1}`, `{"a":2}`}, []int{-1}},
		{5, 3, []string{`{"a":0}`, `{"a":1}`, `{"a":2}`}, []int{-4, -1}},
	} {
		items, corrupt := sortStored(raw, tc.window, tc.limit)
		var got []string
		for _, it := range items {
			got = append(got, string(it))
		}
		var bad []int
		if corrupt != nil {
			for _, it := range corrupt.Items {
				bad = append(bad, it.Index)
			}
		}
		if strings.Join(got, " ") != strings.Join(tc.items, " ") || !slices.Equal(bad, tc.bad) {
			t.Errorf("sortStored(window %d, limit %d) = %v, bad %v; want %v, bad %v", tc.window, tc.limit, got, bad, tc.items, tc.bad)
		}
	}
}
