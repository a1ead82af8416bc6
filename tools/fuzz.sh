#!/usr/bin/env bash
# fuzz.sh runs every FuzzXxx target of the module for FUZZTIME (default 10s)
# each, one at a time (go test -fuzz takes one target per run). Set PKGS to
# restrict the packages (default ./...).
set -euo pipefail
cd "$(dirname "$0")/.."

GO="${GO:-go}"
FUZZTIME="${FUZZTIME:-10s}"
PKGS="${PKGS:-./...}"

ran=0
for pkg in $("$GO" list $PKGS); do
	targets="$("$GO" test -list '^Fuzz' "$pkg" | grep '^Fuzz' || true)"
	for target in $targets; do
		echo "== $pkg $target ($FUZZTIME)"
		"$GO" test -run='^$' -fuzz="^${target}\$" -fuzztime="$FUZZTIME" "$pkg"
		ran=$((ran + 1))
	done
done
if [ "$ran" -eq 0 ]; then
	echo "no Fuzz targets found" >&2
	exit 1
fi
echo "fuzzed $ran target(s) for $FUZZTIME each"
