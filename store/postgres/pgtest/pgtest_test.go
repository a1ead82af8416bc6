package pgtest_test

import (
	"strings"
	"testing"

	"github.com/jackc/pgx/v5"

	"claimgraph/store/postgres/pgtest"
)

func TestStartWithReplica(t *testing.T) {
	c := pgtest.Start(t, pgtest.Options{Replica: true})
	for _, tc := range []struct {
		name     string
		s        *pgtest.Server
		recovery bool
	}{{"primary", c.Primary, false}, {"replica", c.Replica, true}} {
		conn, err := pgx.Connect(t.Context(), tc.s.DSN("postgres"))
		if err != nil {
			t.Fatalf("%s: connect: %v", tc.name, err)
		}
		var rec bool
		if err := conn.QueryRow(t.Context(), "SELECT pg_is_in_recovery()").Scan(&rec); err != nil {
			t.Fatalf("%s: %v", tc.name, err)
		}
		conn.Close(t.Context())
		if rec != tc.recovery {
			t.Errorf("%s: pg_is_in_recovery() = %v, want %v", tc.name, rec, tc.recovery)
		}
	}
	if err := c.Primary.Stop(); err != nil {
		t.Fatal(err)
	}
	if err := c.Primary.Stop(); err != nil {
		t.Errorf("second Stop: %v", err)
	}
}

// TestMissingBinaries: without PostgreSQL the error says what to install.
func TestMissingBinaries(t *testing.T) {
	_, err := pgtest.Launch(t.Context(), pgtest.Options{BinDir: t.TempDir()})
	if err == nil || !strings.Contains(err.Error(), "apt-get install -y postgresql") {
		t.Errorf("Launch without binaries = %v, want an error naming the package", err)
	}
}
