package pgsession

// SQLForTest returns the backend's statements by name, for the raw pgx
// baselines of the benchmarks, which send the same SQL.
func (b *Backend) SQLForTest() map[string]string {
	s := b.sql
	return map[string]string{
		"items": s.items, "dropExpired": s.dropExpired, "dropOrphans": s.dropOrphans, "drop": s.drop,
		"upsert": s.upsert, "insertItems": s.insertItems,
		"decrement": s.decrement, "deleteNewest": s.deleteNewest, "dropEmpty": s.dropEmpty,
	}
}
