package agentsession

import (
	"fmt"
	"time"
	"unicode/utf8"
)

// MaxIDLen is the longest session ID, in bytes, that [New] accepts. Any
// non-empty string up to this length is a valid ID, whatever characters it
// holds.
const MaxIDLen = 1024

// Options configures a [Session]. A nil *Options means all defaults.
type Options struct {
	// TTL is how long a session lives after its last AddItems. Every AddItems
	// sets the full TTL again, in the same atomic step as the append. Zero
	// (the default) means the session never expires; a negative TTL makes New
	// fail with ErrInvalidTTL. Backends may round a TTL up to their own
	// resolution (Redis: whole milliseconds).
	TTL time.Duration

	// SlidingTTL makes GetItems also set the full TTL again. It needs a TTL and a
	// backend that implements Refresher. Default false: reads leave the expiry
	// as it is.
	SlidingTTL bool
}

func checkID(id string) error {
	switch {
	case id == "":
		return fmt.Errorf("%w: empty", ErrInvalidID)
	case len(id) > MaxIDLen:
		return fmt.Errorf("%w: %d bytes, longer than the maximum of %d", ErrInvalidID, len(id), MaxIDLen)
	}
	return nil
}

func (o *Options) check(b Backend) error {
	if o.TTL < 0 {
		return fmt.Errorf("%w: %v is negative (use 0 for no expiry)", ErrInvalidTTL, o.TTL)
	}
	if o.SlidingTTL {
		if o.TTL == 0 {
			return fmt.Errorf("%w: SlidingTTL needs a TTL", ErrInvalidOptions)
		}
		if _, ok := b.(Refresher); !ok {
			return fmt.Errorf("%w: SlidingTTL: backend %T cannot refresh a TTL on read: %w", ErrInvalidOptions, b, errUnsupported)
		}
	}
	return nil
}

// shortID quotes an ID for an error message, cut to a readable length.
func shortID(id string) string {
	const max = 64
	if len(id) <= max {
		return fmt.Sprintf("%q", id)
	}
	cut := max
	for cut > 0 && !utf8.RuneStart(id[cut]) {
		cut--
	}
	return fmt.Sprintf("%q... (%d bytes)", id[:cut], len(id))
}
