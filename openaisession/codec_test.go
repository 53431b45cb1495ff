package openaisession

import (
	"encoding/json"
	"os"
	"reflect"
	"testing"
)

// kind is one row of testdata/items.json: an item of every kind the SDK
// knows, with the union field that must hold it.
type kind struct {
	Name    string          `json:"name"`
	Variant string          `json:"variant"`
	Item    json.RawMessage `json:"item"`
}

func loadKinds(t testing.TB) []kind {
	t.Helper()
	b, err := os.ReadFile("testdata/items.json")
	if err != nil {
		t.Fatal(err)
	}
	var kinds []kind
	if err := json.Unmarshal(b, &kinds); err != nil {
		t.Fatal(err)
	}
	return kinds
}

// variantOf names the union field that is set, or "" for none.
func variantOf(u Item) string {
	v := reflect.ValueOf(u)
	for i := range v.NumField() {
		f := v.Type().Field(i)
		if f.IsExported() && f.Type.Kind() == reflect.Pointer && !v.Field(i).IsNil() {
			return f.Name
		}
	}
	return ""
}

// TestDecodeEveryKind decodes each kind into its typed variant, marshals it
// again and wants the same JSON.
func TestDecodeEveryKind(t *testing.T) {
	for _, k := range loadKinds(t) {
		t.Run(k.Name, func(t *testing.T) {
			u, err := Decode(k.Item)
			if err != nil {
				t.Fatal(err)
			}
			if got := variantOf(u); got != k.Variant {
				t.Errorf("decoded into %q, want %q", got, k.Variant)
			}
			wantSameJSON(t, u, k.Item)
		})
	}
}

// TestPlainUnmarshalLosesOutputMessages shows what Decode is for: the SDK's
// own json.Unmarshal into the union loses an assistant output message's id and
// status, and cannot decode a message without a "type".
func TestPlainUnmarshalLosesOutputMessages(t *testing.T) {
	for _, k := range loadKinds(t) {
		if k.Variant != "OfOutputMessage" && k.Name != "user message, string" {
			continue
		}
		var u Item
		err := json.Unmarshal(k.Item, &u)
		b, _ := json.Marshal(u)
		want, _ := parse(k.Item)
		got, _ := parse(b)
		if err == nil && sameJSON(got, want) {
			t.Errorf("%s: json.Unmarshal into the union round-trips now; Decode's workaround may be unneeded", k.Name)
		}
	}
}

func TestDecodeUnknownKindKeepsJSON(t *testing.T) {
	for _, raw := range []string{
		`{"type":"future_kind","id":"x_1","payload":{"a":[1,2.5,"three"]}}`,
		`{"type":"function_call","call_id":"c","name":"f","arguments":"{}","extra_field":true}`,
		`{"role":"user","content":"Hi","score":1.0}`,
	} {
		u, err := Decode(json.RawMessage(raw))
		if err != nil {
			t.Fatalf("Decode(%s): %v", raw, err)
		}
		wantSameJSON(t, u, json.RawMessage(raw))
	}
	if _, err := Decode(json.RawMessage(`[1]`)); err == nil {
		t.Fatal("Decode of an array: no error")
	}
}

func TestSameJSONComparesNumbersByValue(t *testing.T) {
	for _, tc := range []struct {
		a, b string
		same bool
	}{
		{`{"x":1.0}`, `{"x":1}`, true},
		{`{"x":1e2}`, `{"x":100}`, true},
		{`{"x":0.1}`, `{"x":0.10000000000000001}`, false},
		{`{"x":[1,{"y":null}]}`, `{"x":[1,{"y":null}]}`, true},
		{`{"x":[1]}`, `{"x":[1,2]}`, false},
		{`{"x":"1"}`, `{"x":1}`, false},
		{`{"a":1}`, `{"b":1}`, false},
	} {
		a, _ := parse([]byte(tc.a))
		b, _ := parse([]byte(tc.b))
		if got := sameJSON(a, b); got != tc.same {
			t.Errorf("sameJSON(%s, %s) = %v, want %v", tc.a, tc.b, got, tc.same)
		}
	}
}

// wantSameJSON fails t unless u marshals to the same JSON as want.
func wantSameJSON(t *testing.T, u Item, want json.RawMessage) {
	t.Helper()
	b, err := json.Marshal(u)
	if err != nil {
		t.Fatal(err)
	}
	g, _ := parse(b)
	w, _ := parse(want)
	if !sameJSON(g, w) {
		t.Fatalf("marshalled again:\n got %s\nwant %s", b, want)
	}
}
