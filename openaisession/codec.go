package openaisession

import (
	"bytes"
	"encoding/json"
	"fmt"
	"math/big"
	"reflect"
	"strings"

	"github.com/openai/openai-go/v3/packages/param"
	"github.com/openai/openai-go/v3/responses"
)

// Item is the item type of this package: a Responses API input item.
type Item = responses.ResponseInputItemUnionParam

// Encode returns the JSON of item as it is stored.
func Encode(item Item) (json.RawMessage, error) {
	b, err := json.Marshal(item)
	if err != nil {
		return nil, err
	}
	return b, nil
}

// Decode returns the item that raw, one JSON object, holds, such that
// Encode gives raw back (the same JSON, up to spacing and key order). See the
// package documentation for how.
func Decode(raw json.RawMessage) (Item, error) {
	want, err := parse(raw)
	if err != nil {
		return Item{}, fmt.Errorf("openaisession: decode item: %w", err)
	}
	if _, ok := want.(map[string]any); !ok {
		return Item{}, fmt.Errorf("openaisession: decode item: not a JSON object")
	}
	p := probeKind(raw)
	// The SDK's own decoding is right for most kinds, but not for messages:
	// three variants share "type":"message", and it picks by shape, not role.
	if p.Type != "message" && p.Type != "" {
		var u Item
		if json.Unmarshal(raw, &u) == nil && marshalsTo(u, want) {
			return u, nil
		}
	}
	// Else try the variants in turn, those made for the item's kind first.
	for _, v := range candidates(p.kind()) {
		if u, ok := tryVariant(raw, v, want); ok {
			return u, nil
		}
	}
	return param.Override[Item](json.RawMessage(bytes.Clone(raw))), nil
}

// variant is one Of... field of the union.
type variant struct {
	index int
	typ   reflect.Type // the pointer's element type
}

var (
	variants   []variant            // every Of... field, in declaration order
	byItemType map[string][]variant // the variants made for each kind (kindProbe.kind)
)

func init() {
	ut := reflect.TypeFor[Item]()
	byItemType = map[string][]variant{}
	byName := map[string]variant{}
	for i := range ut.NumField() {
		f := ut.Field(i)
		if !strings.HasPrefix(f.Name, "Of") || f.Type.Kind() != reflect.Pointer {
			continue
		}
		v := variant{index: i, typ: f.Type.Elem()}
		variants = append(variants, v)
		byName[f.Name] = v
		if tf, ok := v.typ.FieldByName("Type"); ok {
			if def := tf.Tag.Get("default"); def != "" && def != "message" {
				byItemType[def] = append(byItemType[def], v)
			}
		}
	}
	// Three variants are "message", told apart by role (see kindProbe.kind):
	// an assistant's output message (with id and status), else an easy message
	// (which may have no "type" at all), or an input message (with status).
	byItemType["message/assistant"] = []variant{byName["OfOutputMessage"], byName["OfMessage"]}
	byItemType["message"] = []variant{byName["OfMessage"], byName["OfInputMessage"]}
}

// candidates lists the variants to try for an item of type t: those made for
// t, then all the others.
func candidates(t string) []variant {
	first := byItemType[t]
	out := append([]variant(nil), first...)
	for _, v := range variants {
		if !containsVariant(first, v) {
			out = append(out, v)
		}
	}
	return out
}

func containsVariant(vs []variant, v variant) bool {
	for _, x := range vs {
		if x.index == v.index {
			return true
		}
	}
	return false
}

// tryVariant decodes raw into variant v and reports whether the union holding
// it marshals to want.
func tryVariant(raw []byte, v variant, want any) (Item, bool) {
	p := reflect.New(v.typ)
	if json.Unmarshal(raw, p.Interface()) != nil {
		return Item{}, false
	}
	var u Item
	reflect.ValueOf(&u).Elem().Field(v.index).Set(p)
	return u, marshalsTo(u, want)
}

// marshalsTo reports whether u marshals to JSON equal to want.
func marshalsTo(u Item, want any) bool {
	b, err := json.Marshal(u)
	if err != nil {
		return false
	}
	got, err := parse(b)
	return err == nil && sameJSON(got, want)
}

// sameJSON reports whether two parsed JSON values are equal, numbers by value
// (1.0 and 1 are the same number; Python writes the one, Go the other).
func sameJSON(a, b any) bool {
	switch a := a.(type) {
	case map[string]any:
		b, ok := b.(map[string]any)
		if !ok || len(a) != len(b) {
			return false
		}
		for k, av := range a {
			bv, ok := b[k]
			if !ok || !sameJSON(av, bv) {
				return false
			}
		}
		return true
	case []any:
		b, ok := b.([]any)
		if !ok || len(a) != len(b) {
			return false
		}
		for i := range a {
			if !sameJSON(a[i], b[i]) {
				return false
			}
		}
		return true
	case json.Number:
		b, ok := b.(json.Number)
		if !ok {
			return false
		}
		if a == b {
			return true
		}
		x, okx := new(big.Rat).SetString(string(a))
		y, oky := new(big.Rat).SetString(string(b))
		return okx && oky && x.Cmp(y) == 0
	default: // string, bool, nil
		return a == b
	}
}

// parse decodes JSON, keeping numbers as written.
func parse(b []byte) (any, error) {
	d := json.NewDecoder(bytes.NewReader(b))
	d.UseNumber()
	var v any
	if err := d.Decode(&v); err != nil {
		return nil, err
	}
	return v, nil
}

// kindProbe is what Decode reads of an item first.
type kindProbe struct {
	Type string `json:"type"`
	Role string `json:"role"`
}

func probeKind(raw []byte) kindProbe {
	var p kindProbe
	_ = json.Unmarshal(raw, &p) // a field that is not a string reads as ""
	return p
}

// kind is the key of byItemType for the item.
func (p kindProbe) kind() string {
	if p.Type == "message" || p.Type == "" {
		if p.Role == "assistant" {
			return "message/assistant"
		}
		return "message"
	}
	return p.Type
}
