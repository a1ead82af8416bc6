package postgres_test

import (
	"context"
	"fmt"
	"os"
	"sync/atomic"
	"testing"
	"time"

	"github.com/jackc/pgx/v5"
	"github.com/rs/zerolog"

	"claimgraph/store/postgres"
	"claimgraph/store/postgres/pgtest"
)

// server is the PostgreSQL primary the tests of this package share, each
// test in schemas of its own; the replica tests start their own cluster.
// TestMain sets it before any test runs.
var server *pgtest.Server

// schemas numbers the schemas the tests create.
var schemas atomic.Int64

func TestMain(m *testing.M) {
	ctx, cancel := context.WithTimeout(context.Background(), 2*time.Minute)
	c, err := pgtest.Launch(ctx, pgtest.Options{})
	cancel()
	if err != nil {
		// Fail, never skip: the engine's tests are part of the suite.
		fmt.Fprintf(os.Stderr, "FAIL: cannot start PostgreSQL for the tests of claimgraph/store/postgres: %v\n(%s)\n", err, pgtest.InstallHint)
		os.Exit(1)
	}
	server = c.Primary
	code := m.Run()
	if err := c.Stop(); err != nil {
		fmt.Fprintf(os.Stderr, "pgtest: %v\n", err)
		if code == 0 {
			code = 1
		}
	}
	os.Exit(code)
}

// newSchema returns a schema name no other test uses.
func newSchema() string { return fmt.Sprintf("t%d", schemas.Add(1)) }

// testLogger logs warnings and errors to t.
func testLogger(t testing.TB) zerolog.Logger {
	return zerolog.New(zerolog.NewTestWriter(t)).Level(zerolog.WarnLevel)
}

// openEngine opens an engine on the shared primary in schema, closed when
// t ends.
func openEngine(t testing.TB, dsn, schema string, readOnly bool) *postgres.Engine {
	t.Helper()
	e, err := postgres.Open(context.Background(), postgres.Options{DSN: dsn, Schema: schema, ReadOnly: readOnly, Logger: testLogger(t)})
	if err != nil {
		t.Fatalf("Open(schema %s): %v", schema, err)
	}
	t.Cleanup(func() { e.Close() })
	return e
}

// adminConn connects to the shared primary as its superuser.
func adminConn(t testing.TB) *pgx.Conn {
	t.Helper()
	conn, err := pgx.Connect(context.Background(), server.DSN("postgres"))
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { conn.Close(context.Background()) })
	return conn
}
