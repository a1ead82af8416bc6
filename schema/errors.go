package schema

import (
	"context"
	"errors"
	"fmt"
	"runtime/debug"

	"github.com/graphql-go/graphql/gqlerrors"

	"claimgraph/graph"
)

// Code is the machine-readable kind of an error, sent to clients as
// extensions.code.
type Code string

// Error codes. Every error in a response carries exactly one of them.
const (
	// CodeParseFailed: the query is not valid GraphQL syntax.
	CodeParseFailed Code = "GRAPHQL_PARSE_FAILED"
	// CodeValidationFailed: the query does not validate against the schema.
	CodeValidationFailed Code = "GRAPHQL_VALIDATION_FAILED"
	// CodeBadUserInput: a request parameter, variable or argument is wrong.
	CodeBadUserInput Code = "BAD_USER_INPUT"
	// CodeNotFound: no node has the requested id.
	CodeNotFound Code = "NOT_FOUND"
	// CodeForbidden: the request is not allowed (a write without a valid
	// token, or on a read-only server).
	CodeForbidden Code = "FORBIDDEN"
	// CodeConflict: a write's expectedRevision is stale, or a concurrent
	// write touched the same data; nothing was written.
	CodeConflict Code = "CONFLICT"
	// CodeLimitExceeded: the request is over a configured limit.
	CodeLimitExceeded Code = "LIMIT_EXCEEDED"
	// CodeTimeout: the request ran out of time.
	CodeTimeout Code = "TIMEOUT"
	// CodeInternal: the server failed; the details are logged, not sent.
	CodeInternal Code = "INTERNAL"
)

// Error is an error with a code. It implements gqlerrors.ExtendedError, so
// graphql-go copies the code into extensions.code when a resolver returns it.
type Error struct {
	// Code is sent as extensions.code.
	Code Code
	// Message is sent as the error message.
	Message string
	// Err is the cause, kept for logs and errors.Is; it is never sent.
	Err error
	// Stack is set for recovered panics, for the log.
	Stack []byte
}

// Error returns the message.
func (e *Error) Error() string { return e.Message }

// Unwrap returns the cause.
func (e *Error) Unwrap() error { return e.Err }

// Extensions implements gqlerrors.ExtendedError.
func (e *Error) Extensions() map[string]interface{} {
	return map[string]interface{}{"code": string(e.Code)}
}

var _ gqlerrors.ExtendedError = (*Error)(nil)

// errorf returns an *Error with a formatted message.
func errorf(code Code, format string, args ...interface{}) *Error {
	return &Error{Code: code, Message: fmt.Sprintf(format, args...)}
}

// classify turns any error into an *Error. It is the one place where the
// sentinel errors of package graph become codes: ErrNotFound is NOT_FOUND,
// ErrInvalid BAD_USER_INPUT, ErrLimit LIMIT_EXCEEDED, ErrConflict CONFLICT,
// a context deadline or
// cancellation TIMEOUT; anything else is INTERNAL with a generic message
// (the cause stays in Err for the log).
func classify(err error) *Error {
	if err == nil {
		return nil
	}
	var e *Error
	if errors.As(err, &e) {
		return e
	}
	switch {
	case errors.Is(err, graph.ErrNotFound):
		return &Error{Code: CodeNotFound, Message: err.Error(), Err: err}
	case errors.Is(err, graph.ErrInvalid):
		return &Error{Code: CodeBadUserInput, Message: err.Error(), Err: err}
	case errors.Is(err, graph.ErrLimit):
		return &Error{Code: CodeLimitExceeded, Message: err.Error(), Err: err}
	case errors.Is(err, graph.ErrConflict):
		return &Error{Code: CodeConflict, Message: err.Error(), Err: err}
	case errors.Is(err, context.DeadlineExceeded), errors.Is(err, context.Canceled):
		return &Error{Code: CodeTimeout, Message: "the request ran out of time", Err: err}
	}
	return &Error{Code: CodeInternal, Message: "internal error", Err: err}
}

// panicError turns a recovered panic value into an INTERNAL error whose
// message says nothing of the panic; the value and stack are kept for the
// log.
func panicError(v interface{}) *Error {
	err, ok := v.(error)
	if !ok {
		err = fmt.Errorf("panic: %v", v)
	} else {
		err = fmt.Errorf("panic: %w", err)
	}
	return &Error{Code: CodeInternal, Message: "internal error", Err: err, Stack: debug.Stack()}
}

// codedCause digs the *Error out of what graphql-go made of it. graphql-go
// wraps resolver errors in *gqlerrors.Error (OriginalError) and errors of
// thunks in gqlerrors.FormattedError (OriginalError()), and it drops the
// extensions of the latter; this walks both kinds of wrapping and the
// standard Unwrap chain.
func codedCause(err error) *Error {
	for i := 0; err != nil && i < 32; i++ {
		switch e := err.(type) {
		case *Error:
			return e
		case *gqlerrors.Error:
			err = e.OriginalError
			continue
		case gqlerrors.Error:
			err = e.OriginalError
			continue
		case gqlerrors.FormattedError:
			err = e.OriginalError()
			continue
		case *gqlerrors.FormattedError:
			err = e.OriginalError()
			continue
		}
		var e *Error
		if errors.As(err, &e) {
			return e
		}
		err = errors.Unwrap(err)
	}
	return nil
}
