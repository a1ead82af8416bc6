package postgres

// SetFailCommit sets the engine's failCommit test knob.
func SetFailCommit(e *Engine, fn func(attempt int) error) { e.failCommit = fn }
