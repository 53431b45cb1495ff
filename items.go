package agentsession

import (
	"bytes"
	"encoding/json"
	"errors"
	"fmt"
	"sync"
	"unicode/utf8"
)

var compactBufs = sync.Pool{New: func() any { return new(bytes.Buffer) }}

// compactObject checks that item is one JSON object in UTF-8 and returns it in
// compact form, reusing item itself when it is compact already. Its error says
// what is wrong, for an ItemError.
func compactObject(item []byte) ([]byte, error) {
	ok, compact := scanObject(item)
	if !ok || !utf8.Valid(item) {
		return nil, problem(item)
	}
	if compact {
		return item, nil
	}
	buf := compactBufs.Get().(*bytes.Buffer)
	defer compactBufs.Put(buf)
	buf.Reset()
	if err := json.Compact(buf, item); err != nil {
		return nil, fmt.Errorf("invalid JSON: %w", err) // scanObject and encoding/json disagree: a bug
	}
	return bytes.Clone(buf.Bytes()), nil
}

// objectProblem says what is wrong with stored element b as a JSON object, or
// returns nil.
func objectProblem(b []byte) error {
	if isObject(b) {
		return nil
	}
	return problem(b)
}

// isObject reports whether stored element b is one JSON object in UTF-8.
func isObject(b []byte) bool {
	ok, _ := scanObject(b)
	return ok && utf8.Valid(b)
}

// problem says what is wrong with b, which is not one JSON object in UTF-8,
// with encoding/json's words where it can.
func problem(b []byte) error {
	t := bytes.TrimLeft(b, " \t\r\n")
	switch {
	case len(t) == 0:
		return errors.New("empty")
	case t[0] != '{':
		if kind := jsonKind(t[0]); kind != "" && json.Valid(t) {
			return fmt.Errorf("a JSON %s, not an object", kind)
		}
		return fmt.Errorf("invalid JSON starting %s", snippet(t))
	case !utf8.Valid(b):
		return errors.New("not valid UTF-8")
	}
	var v any
	if err := json.Unmarshal(b, &v); err != nil {
		return fmt.Errorf("invalid JSON: %w", err)
	}
	return errors.New("invalid JSON") // not reached: scanObject agrees with encoding/json
}

func jsonKind(c byte) string {
	switch {
	case c == '[':
		return "array"
	case c == '"':
		return "string"
	case c == '-' || (c >= '0' && c <= '9'):
		return "number"
	case c == 't' || c == 'f':
		return "boolean"
	case c == 'n':
		return "null"
	}
	return ""
}

func snippet(b []byte) string {
	if len(b) > 16 {
		b = b[:16]
	}
	return fmt.Sprintf("%q", b)
}
