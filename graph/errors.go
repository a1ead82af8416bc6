package graph

import "errors"

// Sentinel errors returned by stores and by this package. Callers compare
// with errors.Is; the HTTP edge maps them to GraphQL error codes.
var (
	// ErrNotFound means no node has the requested key.
	ErrNotFound = errors.New("not found")

	// ErrInvalid means a bundle, batch or argument failed validation; the
	// wrapped *ValidationError lists every problem.
	ErrInvalid = errors.New("invalid input")

	// ErrConflict means a concurrent write changed the same data; the write
	// was not applied and may be retried.
	ErrConflict = errors.New("write conflict")

	// ErrLocked means the data directory is held by another process, most
	// often a running server.
	ErrLocked = errors.New("data directory is in use by another process")

	// ErrClosed means the store has been closed.
	ErrClosed = errors.New("store closed")

	// ErrLimit means a request exceeded a configured limit.
	ErrLimit = errors.New("limit exceeded")
)
