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
	if err := shapeProblem(item); err != nil {
		return nil, err
	}
	buf := compactBufs.Get().(*bytes.Buffer)
	defer compactBufs.Put(buf)
	buf.Reset()
	// Compact also validates, so the item is scanned once.
	if err := json.Compact(buf, item); err != nil {
		return nil, fmt.Errorf("invalid JSON: %w", err)
	}
	// Compact only drops insignificant spaces, so an equal length means equal
	// bytes and nothing needs copying.
	if buf.Len() == len(item) {
		return item, nil
	}
	return bytes.Clone(buf.Bytes()), nil
}

// objectProblem says what is wrong with stored element b as a JSON object, or
// returns nil.
func objectProblem(b []byte) error {
	if err := shapeProblem(b); err != nil {
		return err
	}
	if !json.Valid(b) {
		var v any
		if err := json.Unmarshal(b, &v); err != nil {
			return fmt.Errorf("invalid JSON: %w", err)
		}
		return errors.New("invalid JSON")
	}
	return nil
}

// shapeProblem does the cheap checks: b starts with '{' and is UTF-8.
func shapeProblem(b []byte) error {
	t := bytes.TrimLeft(b, " \t\r\n")
	if len(t) == 0 {
		return errors.New("empty")
	}
	if t[0] != '{' {
		if kind := jsonKind(t[0]); kind != "" && json.Valid(t) {
			return fmt.Errorf("a JSON %s, not an object", kind)
		}
		return fmt.Errorf("invalid JSON starting %s", snippet(t))
	}
	if !utf8.Valid(b) {
		return errors.New("not valid UTF-8")
	}
	return nil
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
