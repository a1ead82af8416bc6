package main

import (
	"flag"
	"net"
	"time"

	"golang.org/x/net/netutil"
)

// httpLimits are serve's connection-level limits: the http.Server timeouts
// that cut off slow clients, and the number of connections served at once.
// The request-level limits (body size, query depth, aliases, cost ...) are
// schema.HandlerConfig's.
type httpLimits struct {
	// readHeaderTimeout cuts off a client that has not sent a request's
	// headers in time (a slow-header client, or an idle connection that
	// never sends a request).
	readHeaderTimeout time.Duration
	// readTimeout bounds the reading of a whole request, body included (a
	// slow-body client).
	readTimeout time.Duration
	// writeTimeout bounds the writing of a response.
	writeTimeout time.Duration
	// idleTimeout closes a keep-alive connection that sends no next request.
	idleTimeout time.Duration
	// maxConns caps the connections served at once; past it, new
	// connections wait in the kernel's accept queue until one closes. 0
	// means no cap.
	maxConns int
}

// Defaults of httpLimits.
const (
	defaultReadHeaderTimeout = 10 * time.Second
	defaultReadTimeout       = 60 * time.Second
	defaultWriteTimeout      = 120 * time.Second
	defaultIdleTimeout       = 120 * time.Second
	defaultMaxConns          = 1024
)

// addHTTPLimitFlags registers the flags of httpLimits.
func addHTTPLimitFlags(fs *flag.FlagSet, l *httpLimits) {
	fs.DurationVar(&l.readHeaderTimeout, "read-header-timeout", defaultReadHeaderTimeout,
		"cut off a connection whose request headers are not all read by then (slow clients, idle connections)")
	fs.DurationVar(&l.readTimeout, "read-timeout", defaultReadTimeout, "cut off a request whose body is not all read by then")
	fs.DurationVar(&l.writeTimeout, "write-timeout", defaultWriteTimeout,
		"cut off a response not written by then (large exports to slow clients need more)")
	fs.DurationVar(&l.idleTimeout, "idle-timeout", defaultIdleTimeout, "close a keep-alive connection idle that long")
	fs.IntVar(&l.maxConns, "max-conns", defaultMaxConns,
		"connections served at once; more wait for a free slot (0: no cap)")
}

// check reports a negative limit.
func (l httpLimits) check() error {
	for _, d := range []struct {
		name string
		v    time.Duration
	}{
		{"--read-header-timeout", l.readHeaderTimeout}, {"--read-timeout", l.readTimeout},
		{"--write-timeout", l.writeTimeout}, {"--idle-timeout", l.idleTimeout},
	} {
		if d.v <= 0 {
			return usageError("%s must be positive, got %s", d.name, d.v)
		}
	}
	if l.maxConns < 0 {
		return usageError("--max-conns must be 0 (no cap) or positive, got %d", l.maxConns)
	}
	return nil
}

// listen listens on addr (TCP), holding it to maxConns connections at once.
func (l httpLimits) listen(addr string) (net.Listener, error) {
	ln, err := net.Listen("tcp", addr)
	if err != nil {
		return nil, err
	}
	if l.maxConns > 0 {
		ln = netutil.LimitListener(ln, l.maxConns)
	}
	return ln, nil
}
