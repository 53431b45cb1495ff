package agentsession

import (
	"errors"
	"fmt"
	"strings"
)

var (
	// ErrInvalidID is returned by New for an empty session ID or one longer
	// than MaxIDLen bytes.
	ErrInvalidID = errors.New("agentsession: invalid session ID")

	// ErrInvalidTTL is returned by New for a negative Options.TTL.
	ErrInvalidTTL = errors.New("agentsession: invalid TTL")

	// ErrInvalidOptions is returned by New, and by backend constructors, for
	// options that cannot work together or with the given backend.
	ErrInvalidOptions = errors.New("agentsession: invalid options")

	// ErrNilBackend is returned by New for a nil Backend, and by the methods of
	// a nil or zero Session.
	ErrNilBackend = errors.New("agentsession: nil backend (make sessions with agentsession.New)")

	// ErrNilContext is returned by a method called with a nil context.Context.
	ErrNilContext = errors.New("agentsession: nil context")

	// ErrInvalidItem is matched by every *ItemError: an item, given or stored,
	// that is not a JSON object.
	ErrInvalidItem = errors.New("agentsession: item is not a JSON object")

	// ErrCorruptItem is matched by the *CorruptError that reads and pops
	// return when a stored element is not a JSON object.
	ErrCorruptItem = errors.New("agentsession: stored element is not a JSON object")

	// ErrLimit is matched by every *LimitError: input over a configured limit.
	ErrLimit = errors.New("agentsession: over a limit")

	// ErrWrongType is wrapped by backend errors when the place where a session
	// is stored holds a value of another kind (for Redis, a key that is not a
	// list).
	ErrWrongType = errors.New("agentsession: stored session has the wrong type")
)

// LimitError reports input over one of the limits of Options (or a
// backend's own, such as redissession.Options.MaxItems): nothing was written.
type LimitError struct {
	What string // what was counted: "session ID bytes", "item bytes", "batch items"
	Max  int    // the limit
	Got  int    // what was given
}

// Error says which limit and by how much.
func (e *LimitError) Error() string {
	return fmt.Sprintf("%d %s, over the limit of %d", e.Got, e.What, e.Max)
}

// Is reports whether target is ErrLimit.
func (e *LimitError) Is(target error) bool { return target == ErrLimit }

// errUnsupported is errors.ErrUnsupported, named here so messages read well.
var errUnsupported = errors.ErrUnsupported

// ItemError reports an item that is not a JSON object: in a batch given to
// AddItems (Index is its position in the batch), or among stored elements (see
// CorruptError for what Index means there). It matches ErrInvalidItem.
type ItemError struct {
	Index int    // position in the batch, or of the stored element
	Raw   []byte // the item's bytes, as given or as stored
	Err   error  // what is wrong with it
}

// Error says which item and what is wrong with it.
func (e *ItemError) Error() string { return fmt.Sprintf("item %d: %v", e.Index, e.Err) }

// Unwrap returns e.Err, the cause (for example a *json.SyntaxError).
func (e *ItemError) Unwrap() error { return e.Err }

// Is reports whether target is ErrInvalidItem.
func (e *ItemError) Is(target error) bool { return target == ErrInvalidItem }

// CorruptError reports stored elements that are not JSON objects. Reads
// return it beside the valid items they found; PopItem returns it, with the
// popped element's bytes, in place of an item.
//
// Each Items[i].Index counts like a Redis list index: from 0 at the oldest
// element when the whole session was read, and from -1 at the newest when the
// read was limited or a pop, so that it names the element without another
// round trip to learn the session's length.
type CorruptError struct {
	Items []*ItemError
}

// Error counts the bad elements and describes the first three.
func (e *CorruptError) Error() string {
	var b strings.Builder
	if len(e.Items) == 1 {
		b.WriteString("1 stored element is not a JSON object: ")
	} else {
		fmt.Fprintf(&b, "%d stored elements are not JSON objects: ", len(e.Items))
	}
	for i, it := range e.Items {
		if i == 3 {
			fmt.Fprintf(&b, "; and %d more", len(e.Items)-3)
			break
		}
		if i > 0 {
			b.WriteString("; ")
		}
		b.WriteString(it.Error())
	}
	return b.String()
}

// Is reports whether target is ErrCorruptItem.
func (e *CorruptError) Is(target error) bool { return target == ErrCorruptItem }
