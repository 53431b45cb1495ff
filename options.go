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

	// MaxIDLen is the longest session ID New accepts, in bytes: at most, and
	// by default (0), the package's MaxIDLen, 1,024. A longer ID fails New
	// with ErrInvalidID wrapping a *LimitError.
	MaxIDLen int

	// MaxItemBytes is the largest item AddItems accepts, in bytes (as given,
	// before compaction). Default 0: no limit of ours (each store has its own:
	// Redis 512 MB per element, DynamoDB 400 KB). A larger item fails the
	// batch with an *ItemError wrapping a *LimitError; nothing is written.
	MaxItemBytes int

	// MaxBatchItems is the most items one AddItems takes. Default 0: no limit.
	// A larger batch fails with a *LimitError; nothing is written.
	MaxBatchItems int
}

func checkID(id string, max int) error {
	switch {
	case id == "":
		return fmt.Errorf("%w: empty", ErrInvalidID)
	case len(id) > max:
		return fmt.Errorf("%w: %w", ErrInvalidID, &LimitError{What: "session ID bytes", Max: max, Got: len(id)})
	}
	return nil
}

func (o *Options) check(b Backend) error {
	switch {
	case o.MaxIDLen < 0 || o.MaxIDLen > MaxIDLen:
		return fmt.Errorf("%w: MaxIDLen %d: want 0 (the default, %d) up to %d", ErrInvalidOptions, o.MaxIDLen, MaxIDLen, MaxIDLen)
	case o.MaxItemBytes < 0:
		return fmt.Errorf("%w: MaxItemBytes %d is negative (use 0 for no limit)", ErrInvalidOptions, o.MaxItemBytes)
	case o.MaxBatchItems < 0:
		return fmt.Errorf("%w: MaxBatchItems %d is negative (use 0 for no limit)", ErrInvalidOptions, o.MaxBatchItems)
	}
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
