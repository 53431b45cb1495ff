package dynamosession

import (
	"context"
	"errors"
	"fmt"
	"hash/maphash"
	"math/rand/v2"
	"reflect"
	"strconv"
	"sync"
	"time"

	"github.com/agentsession/agentsession"
	"github.com/aws/aws-sdk-go-v2/service/dynamodb"
	"github.com/aws/aws-sdk-go-v2/service/dynamodb/types"
)

// DefaultTable is the table name used when Options.Table is empty.
const DefaultTable = "agentsession"

// DefaultPartitionKey is the partition key attribute name used when
// Options.PartitionKey is empty, as in the reference Python package.
const DefaultPartitionKey = "session_id"

// Attribute names of the item layout (besides the partition key) and of both
// layouts' expiry.
const (
	attrPos     = "pos"        // N: 0 for the metadata item, >= 1 for elements
	attrLo      = "lo"         // N: first live position
	attrNext    = "next"       // N: position after the newest element
	attrVer     = "ver"        // N: bumped by every change of lo or next
	attrItem    = "item"       // B: one element's bytes
	attrW       = "w"          // N: the ver that the element's writer would commit
	attrTTL     = "ttl"        // N: epoch seconds (with a millisecond fraction)
	attrUpdated = "updated_at" // N: epoch seconds (with a millisecond fraction)
	attrData    = "conversation_data"
	attrVersion = "version"
)

// tombstoneTTL is how long the metadata item of a cleared or emptied session
// is kept, so that positions never go back while rows are being deleted.
const tombstoneTTL = 24 * time.Hour

// Layout chooses how sessions are stored in the table.
type Layout int

const (
	// ItemLayout, the default, stores one DynamoDB item per session element
	// plus one metadata item per session: no size limit per session, and
	// reads and writes that touch only the elements they need.
	ItemLayout Layout = iota
	// CompatLayout stores a whole session in one DynamoDB item, in the
	// layout of the reference Python package: conversation_data holds the
	// elements as one JSON array. A session is limited by DynamoDB's 400 KB
	// item size.
	CompatLayout
)

// String returns "item" or "compat".
func (l Layout) String() string {
	switch l {
	case ItemLayout:
		return "item"
	case CompatLayout:
		return "compat"
	}
	return "Layout(" + strconv.Itoa(int(l)) + ")"
}

// ErrNilClient is returned by New for a nil client.
var ErrNilClient = errors.New("dynamosession: nil client")

// ErrInvalidOptions is wrapped by the error New returns for bad Options.
var ErrInvalidOptions = errors.New("dynamosession: invalid options")

// Client is the part of *dynamodb.Client that a Backend uses; New takes any
// implementation, such as a wrapper that records calls.
type Client interface {
	GetItem(ctx context.Context, in *dynamodb.GetItemInput, optFns ...func(*dynamodb.Options)) (*dynamodb.GetItemOutput, error)
	PutItem(ctx context.Context, in *dynamodb.PutItemInput, optFns ...func(*dynamodb.Options)) (*dynamodb.PutItemOutput, error)
	UpdateItem(ctx context.Context, in *dynamodb.UpdateItemInput, optFns ...func(*dynamodb.Options)) (*dynamodb.UpdateItemOutput, error)
	DeleteItem(ctx context.Context, in *dynamodb.DeleteItemInput, optFns ...func(*dynamodb.Options)) (*dynamodb.DeleteItemOutput, error)
	Query(ctx context.Context, in *dynamodb.QueryInput, optFns ...func(*dynamodb.Options)) (*dynamodb.QueryOutput, error)
	Scan(ctx context.Context, in *dynamodb.ScanInput, optFns ...func(*dynamodb.Options)) (*dynamodb.ScanOutput, error)
	BatchWriteItem(ctx context.Context, in *dynamodb.BatchWriteItemInput, optFns ...func(*dynamodb.Options)) (*dynamodb.BatchWriteItemOutput, error)
	CreateTable(ctx context.Context, in *dynamodb.CreateTableInput, optFns ...func(*dynamodb.Options)) (*dynamodb.CreateTableOutput, error)
	DescribeTable(ctx context.Context, in *dynamodb.DescribeTableInput, optFns ...func(*dynamodb.Options)) (*dynamodb.DescribeTableOutput, error)
	UpdateTimeToLive(ctx context.Context, in *dynamodb.UpdateTimeToLiveInput, optFns ...func(*dynamodb.Options)) (*dynamodb.UpdateTimeToLiveOutput, error)
}

var _ Client = (*dynamodb.Client)(nil)

// Options configures a Backend. A nil *Options means all defaults.
type Options struct {
	// Table is the DynamoDB table. Default (when empty): DefaultTable,
	// "agentsession". CreateTable makes it with the key schema of Layout.
	Table string

	// Layout is how sessions are stored. Default (zero): ItemLayout, one
	// DynamoDB item per element. CompatLayout reads and writes the reference
	// Python package's one-item-per-session layout.
	Layout Layout

	// PartitionKey is the name of the partition key attribute, which holds
	// the session ID: of type B (the ID's bytes) in ItemLayout, of type S in
	// CompatLayout. Default (when empty): DefaultPartitionKey, "session_id".
	PartitionKey string
}

// Backend stores sessions in a DynamoDB table. It implements
// agentsession.Backend, agentsession.Refresher, agentsession.Lister and
// agentsession.Expirer;
// applications use it through agentsession.New. It is safe for concurrent
// use.
type Backend struct {
	client Client
	table  string
	layout Layout
	pk     string
	now    func() time.Time
	locks  [64]sync.Mutex // writers of one session in this process take turns
}

var (
	_ agentsession.Backend   = (*Backend)(nil)
	_ agentsession.Refresher = (*Backend)(nil)
	_ agentsession.Lister    = (*Backend)(nil)
)

// New returns a Backend that stores sessions in opts.Table through client.
// New does no I/O (see CreateTable), and the Backend never closes client.
func New(client Client, opts *Options) (*Backend, error) {
	if client == nil {
		return nil, ErrNilClient
	}
	if v := reflect.ValueOf(client); v.Kind() == reflect.Pointer && v.IsNil() {
		return nil, ErrNilClient
	}
	var o Options
	if opts != nil {
		o = *opts
	}
	if o.Table == "" {
		o.Table = DefaultTable
	}
	if o.PartitionKey == "" {
		o.PartitionKey = DefaultPartitionKey
	}
	if o.Layout != ItemLayout && o.Layout != CompatLayout {
		return nil, fmt.Errorf("%w: unknown layout %v", ErrInvalidOptions, o.Layout)
	}
	if o.Layout == ItemLayout && isReserved(o.PartitionKey) {
		return nil, fmt.Errorf("%w: partition key %q is an attribute name of the item layout", ErrInvalidOptions, o.PartitionKey)
	}
	if o.Layout == CompatLayout && (o.PartitionKey == attrData || o.PartitionKey == attrUpdated || o.PartitionKey == attrTTL || o.PartitionKey == attrVersion) {
		return nil, fmt.Errorf("%w: partition key %q is an attribute name of the compat layout", ErrInvalidOptions, o.PartitionKey)
	}
	return &Backend{client: client, table: o.Table, layout: o.Layout, pk: o.PartitionKey, now: time.Now}, nil
}

func isReserved(name string) bool {
	switch name {
	case attrPos, attrLo, attrNext, attrVer, attrItem, attrW, attrTTL, attrUpdated:
		return true
	}
	return false
}

// Table returns the name of the backend's table.
func (b *Backend) Table() string { return b.table }

// Layout returns the backend's layout.
func (b *Backend) Layout() Layout { return b.layout }

// Items implements agentsession.Backend.
func (b *Backend) Items(ctx context.Context, id string, limit int) ([][]byte, error) {
	return b.ItemsRefresh(ctx, id, limit, 0)
}

// ItemsRefresh implements agentsession.Refresher: the refresh is a
// conditional write on the version that the read saw, retried with the read
// when the session changed in between.
func (b *Backend) ItemsRefresh(ctx context.Context, id string, limit int, ttl time.Duration) ([][]byte, error) {
	if err := ctx.Err(); err != nil {
		return nil, err
	}
	if ttl > 0 {
		defer b.lock(id)()
	}
	if b.layout == CompatLayout {
		return b.compatItems(ctx, id, limit, ttl)
	}
	return b.rowItems(ctx, id, limit, ttl)
}

// Append implements agentsession.Backend.
func (b *Backend) Append(ctx context.Context, id string, items [][]byte, ttl time.Duration) error {
	if err := ctx.Err(); err != nil {
		return err
	}
	defer b.lock(id)()
	if b.layout == CompatLayout {
		return b.compatAppend(ctx, id, items, ttl)
	}
	return b.rowAppend(ctx, id, items, ttl)
}

// Pop implements agentsession.Backend.
func (b *Backend) Pop(ctx context.Context, id string) ([]byte, error) {
	if err := ctx.Err(); err != nil {
		return nil, err
	}
	defer b.lock(id)()
	if b.layout == CompatLayout {
		return b.compatPop(ctx, id)
	}
	return b.rowPop(ctx, id)
}

// Clear implements agentsession.Backend.
func (b *Backend) Clear(ctx context.Context, id string) error {
	if err := ctx.Err(); err != nil {
		return err
	}
	defer b.lock(id)()
	if b.layout == CompatLayout {
		return b.compatClear(ctx, id)
	}
	return b.rowClear(ctx, id)
}

var lockSeed = maphash.MakeSeed()

// lock takes the in-process lock of session id's writers and returns its
// unlock. Writers in other processes are kept apart by conditional writes
// alone; this only saves the retries that writers in one process would cause
// each other.
func (b *Backend) lock(id string) func() {
	mu := &b.locks[maphash.String(lockSeed, id)%uint64(len(b.locks))]
	mu.Lock()
	return mu.Unlock
}

// backoff sleeps before retry attempt (0, 1, ...) after a conflict: a random
// time up to 1 ms doubled per attempt, at most 32 ms, so that many writers of
// one session all get through.
func backoff(ctx context.Context, attempt int) error {
	d := time.Millisecond << min(attempt, 5)
	t := time.NewTimer(time.Duration(rand.Int64N(int64(d))) + 100*time.Microsecond)
	defer t.Stop()
	select {
	case <-ctx.Done():
		return ctx.Err()
	case <-t.C:
		return nil
	}
}

// isConflict reports whether err is a failed condition of a conditional
// write.
func isConflict(err error) bool {
	var cf *types.ConditionalCheckFailedException
	return errors.As(err, &cf)
}

// epoch formats t as epoch seconds with a millisecond fraction, the form of
// the ttl and updated_at attributes.
func epoch(t time.Time) string {
	ms := t.UnixMilli()
	if ms < 0 {
		return strconv.FormatInt(ms/1000, 10)
	}
	return fmt.Sprintf("%d.%03d", ms/1000, ms%1000)
}

// parseEpoch reads epoch seconds, with or without a fraction, as a time.
func parseEpoch(s string) (time.Time, bool) {
	f, err := strconv.ParseFloat(s, 64)
	if err != nil {
		return time.Time{}, false
	}
	return time.UnixMilli(int64(f*1000 + 0.5)), true
}

func num(n int64) types.AttributeValue {
	return &types.AttributeValueMemberN{Value: strconv.FormatInt(n, 10)}
}

func numStr(s string) types.AttributeValue { return &types.AttributeValueMemberN{Value: s} }

// getNum returns the integer attribute name of item, 0 when absent.
func getNum(item map[string]types.AttributeValue, name string) int64 {
	if v, ok := item[name].(*types.AttributeValueMemberN); ok {
		n, _ := strconv.ParseInt(v.Value, 10, 64)
		return n
	}
	return 0
}

// getTime returns the epoch-seconds attribute name of item, zero when absent
// or not a number (an ISO 8601 string is also read, for updated_at).
func getTime(item map[string]types.AttributeValue, name string) time.Time {
	switch v := item[name].(type) {
	case *types.AttributeValueMemberN:
		t, _ := parseEpoch(v.Value)
		return t
	case *types.AttributeValueMemberS:
		if t, err := time.Parse(time.RFC3339Nano, v.Value); err == nil {
			return t
		}
		if t, err := time.Parse("2006-01-02T15:04:05.999999", v.Value); err == nil {
			return t
		}
	}
	return time.Time{}
}
