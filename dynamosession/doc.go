// Package dynamosession is the Amazon DynamoDB backend of agentsession, on
// aws-sdk-go-v2. It stores sessions in one table, in one of two layouts, and
// implements agentsession.Refresher (sliding TTLs), agentsession.Lister and
// agentsession.Expirer.
//
// # Item layout (the default)
//
// Each session element is one DynamoDB item: partition key session_id (type
// B, the session ID's bytes, so that any ID, NUL bytes and invalid UTF-8
// included, round-trips exactly; the name is Options.PartitionKey), sort key
// pos (N, 1, 2, ...), the element's bytes in item (B) and the version that
// wrote it in w (N). Beside them, at pos 0, a metadata item holds lo and next
// (the session's elements are at positions lo <= pos < next), ver (bumped by
// every change of lo or next), ttl and updated_at. A session has no size
// limit; each element is limited by DynamoDB's 400 KB item size.
//
//   - Items: GetItem of the metadata, then one Query of positions
//     [max(lo, next-limit), next): a limited read reads only those items. Rows
//     whose w is newer than the metadata, or a missing row, mean a writer got
//     in between, and the read starts again: a read sees one version.
//   - Append: writes the new rows past next with conditional PutItems (in
//     parallel, up to 16 at a time), each of which only replaces a row of an
//     older version, then commits them all with one UpdateItem of the metadata
//     that moves next, conditional on the version it read. Until that commit
//     no reader sees any of them, so a batch of any size (10,000 items in the
//     tests) lands all or nothing; a writer that fails or dies before it
//     leaves only invisible rows, which later writes replace.
//   - Pop: reads the newest row, takes it with an UpdateItem of the metadata
//     conditional on the version, and only then deletes the row (conditional
//     on its version), so two pops never return the same element.
//   - Clear: one conditional UpdateItem sets lo = next, which empties the
//     session for every reader at once; then the rows are deleted with Query
//     and BatchWriteItem (many requests for a long session, not atomic, but
//     never visible: those positions are never written again). The metadata
//     item stays as a tombstone, with a ttl a day ahead, so positions never go
//     back while rows are deleted.
//
// Every write is optimistic: on a conflict (ConditionalCheckFailed) it reads
// again and retries after a random backoff (up to 32 ms), without limit until
// its context ends, so concurrent writers in many processes all succeed.
// Writers of one session in one process also take turns on an in-process
// lock, which saves them most retries. DynamoDB transactions are not used:
// every atomic step is a single-item conditional write, which also lets the
// backend run on dynalite, which has no TransactWriteItems.
//
// # Compat layout
//
// With Options.Layout = CompatLayout (URL parameter layout=compat) a session
// is one item in the layout of the reference Python package: partition key
// session_id (type S; Options.PartitionKey), conversation_data (S, the
// elements as one JSON array), updated_at and ttl (N, epoch seconds), plus
// version (N), which this package adds. Every change reads the item and
// writes it back with a PutItem conditional on version (or, for an item the
// Python package wrote, on version being absent), retried on conflict. The
// reference package's own writes take no such care: do not write one session
// from both at once. A whole session must fit in DynamoDB's 400 KB item size;
// a write past it fails with DynamoDB's ValidationException and stores
// nothing. Session IDs must be UTF-8 (ErrInvalidUTF8ID). Elements that are
// not valid JSON (which only Backend.Append stores) are kept as JSON strings
// of their bytes and read back as those bytes.
//
// # TTL
//
// The ttl attribute holds the expiry in epoch seconds with a millisecond
// fraction, and CreateTable enables DynamoDB's TTL on it, so DynamoDB deletes
// expired items in the background, within days. Every read also checks it,
// so an expired session reads as empty, is not listed, and an Append to it
// starts a new session. Append with a TTL sets a new expiry in the same
// conditional write; without one it keeps the existing expiry. In the item
// layout only the metadata item has a ttl (a refreshed TTL cannot be pushed
// to every row): an Append that finds the session expired deletes its old
// rows, and rows whose metadata DynamoDB deleted stay until Clear of that ID.
//
// # Listing
//
// List is a Scan of the table (the metadata items in the item layout),
// filtered to live sessions, in the order DynamoDB returns them: stable for a
// table, not sorted. The cursor is the base64 key of the last session
// returned. Each page reads at most about 1 MB per Scan request, so listing
// a table of long sessions in the item layout reads their rows too.
//
// # URLs
//
// It registers the scheme "dynamodb":
//
//	dynamodb://TABLE?region=eu-west-1
//	dynamodb://TABLE?endpoint=http://127.0.0.1:8000&layout=compat&create_table=true
//
// Parameters: endpoint (a DynamoDB-compatible server; default AWS's for the
// region), region (default from the AWS configuration; us-east-1 when an
// endpoint is given and none is configured), layout (item, the default, or
// compat), partition_key (default session_id) and create_table (true to call
// CreateTable when opening). Credentials and everything else come from the
// SDK's default configuration (environment, shared files, roles). For an
// endpoint on a loopback address with no AWS_ACCESS_KEY_ID or AWS_PROFILE in
// the environment, static dummy credentials are used, which local servers
// (dynalite, DynamoDB Local) accept. Unknown parameters are an error.
package dynamosession
