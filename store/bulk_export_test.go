package store

// BulkOptions returns SmallOptions with the bulk path taken by every
// Update that writes something (where Badger allows it), in at least three
// streams when it has three distinct keys, for the
// conformance suites of package store_test.
func BulkOptions(dir string) Options {
	o := SmallOptions(dir)
	o.bulkWrites = 1
	o.bulkStreams = 3
	return o
}
