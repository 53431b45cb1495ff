package sqlitesession

import "time"

// SetNow makes b read the time from now, so that tests can move past a TTL
// without waiting.
func SetNow(b *Backend, now func() time.Time) { b.now = now }

// DSN is the data source name Open uses, for benchmarks' raw baselines.
var DSN = dsn
