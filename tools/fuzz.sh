#!/usr/bin/env bash
# fuzz.sh runs every FuzzXxx target of the module for FUZZTIME (default 10s)
# each, one at a time (go test -fuzz takes one target per run). Set PKGS to
# restrict the packages (default: every package with a Fuzz target), and
# TARGETS to a regular expression that the target names must match, and
# FUZZMINIMIZETIME to bound the minimisation of each input (default 5s).
#
# The targets are found in the _test.go files rather than with go test
# -list, which would build every package's tests first. An input that
# fails is written by go test to the package's testdata/fuzz/FuzzXxx/,
# where it stays as a regression test run by every go test.
#
# Go 1.26's fuzz coordinator can report a bare "context deadline exceeded"
# when -fuzztime ends while a worker is mid-input (golang/go#75804, fixed in
# Go 1.27): no input fails and none is written. Such a run is retried (up
# to twice); any other failure, or a written input, fails at once.
set -euo pipefail
cd "$(dirname "$0")/.."

GO="${GO:-go}"
FUZZTIME="${FUZZTIME:-10s}"
# Minimising each new interesting input may take go test's default of 60s,
# which would eat a brief run: large seeds (a query of 10k aliases) make
# large inputs. A failing input is still minimised, for this long.
FUZZMINIMIZETIME="${FUZZMINIMIZETIME:-5s}"
TARGETS="${TARGETS:-.}"

if [ -n "${PKGS:-}" ]; then
	dirs="$("$GO" list -f '{{.Dir}}' $PKGS)"
else
	dirs="$(grep -rl --include='*_test.go' --exclude-dir=node_modules --exclude-dir=testdata --exclude-dir=.git '^func Fuzz[A-Z0-9_a-z]*(f \*testing\.F)' . | xargs -n1 dirname | sort -u)"
fi

ran=0
start=$SECONDS
for dir in $dirs; do
	dir="${dir#"$PWD"/}"
	dir="./${dir#./}"
	targets="$(cat "$dir"/*_test.go | grep -o '^func Fuzz[A-Za-z0-9_]*(f \*testing\.F)' |
		sed 's/^func \(Fuzz[A-Za-z0-9_]*\).*/\1/' | grep -E "$TARGETS" | sort || true)"
	for target in $targets; do
		for attempt in 1 2 3; do
			echo "== $dir $target ($FUZZTIME)"
			out="$(mktemp)"
			if "$GO" test -run='^$' -fuzz="^${target}\$" -fuzztime="$FUZZTIME" -fuzzminimizetime="$FUZZMINIMIZETIME" "$dir" 2>&1 | tee "$out"; then
				rm -f "$out"
				break
			fi
			if [ "$attempt" -lt 3 ] && grep -q 'context deadline exceeded' "$out" &&
				! grep -qE 'Failing input written|panic:' "$out" &&
				[ "$(grep -c '^    ' "$out")" -le 1 ]; then
				echo "== $target: the fuzz coordinator's deadline race (golang/go#75804), no failing input; again"
				rm -f "$out"
				continue
			fi
			rm -f "$out"
			exit 1
		done
		ran=$((ran + 1))
	done
done
if [ "$ran" -eq 0 ]; then
	echo "no Fuzz targets found" >&2
	exit 1
fi
echo "fuzzed $ran target(s) for $FUZZTIME each in $((SECONDS - start))s"
