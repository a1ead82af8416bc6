package store

// SmallOptions returns options for tests of other packages in this
// directory: a small memtable so that many stores fit in memory.
func SmallOptions(dir string) Options {
	o := Options{Dir: dir, InMemory: dir == "", memTableSize: 8 << 20, NoSync: true}
	return o
}
