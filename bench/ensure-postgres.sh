#!/usr/bin/env bash
# bench/ensure-postgres.sh: make sure Debian's PostgreSQL server binaries are
# installed for the benchmark's PostgreSQL peer (the harness runs initdb and
# the server itself, in a temporary directory, on loopback). Installs the
# postgresql package with apt-get when missing and we are root; otherwise
# says what to do. Prints the --peers flag the harness should get.
set -euo pipefail
if compgen -G '/usr/lib/postgresql/*/bin/initdb' >/dev/null; then
	echo "--peers sqlite,postgres"
	exit 0
fi
if [ "$(id -u)" = 0 ] && command -v apt-get >/dev/null; then
	echo "bench: installing Debian's postgresql package for the PostgreSQL peer" >&2
	export DEBIAN_FRONTEND=noninteractive
	apt-get update -qq >&2
	apt-get install -y -qq --no-install-recommends postgresql >&2
	# The package starts a cluster of its own; the benchmark does not use it.
	if command -v pg_ctlcluster >/dev/null; then
		for c in /etc/postgresql/*/main; do
			[ -d "$c" ] && pg_ctlcluster "$(basename "$(dirname "$c")")" main stop >&2 || true
		done
	fi
	echo "--peers sqlite,postgres"
	exit 0
fi
echo "bench: PostgreSQL is not installed (apt-get install postgresql); measuring without it" >&2
echo "--peers sqlite"
