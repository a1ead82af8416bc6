#!/bin/sh
# The outside measurement of an import: a generated corpus of QUOTES quotes
# (default 100,000) imported by `claimgraph import` into a new data
# directory, and loaded into SQLite by bench/outside/sqlite_load.py (Python's
# sqlite3, the C library; the schema and indexes of bench/peers/sqlite.sql),
# each timed from its own start to its end, one after the other, REPS times
# (default 3). Prints each time and the ratio of the medians.
set -eu
BIN=${BIN:-bin/claimgraph}
QUOTES=${QUOTES:-100000}
REPS=${REPS:-3}
dir=$(mktemp -d)
trap 'rm -rf "$dir"' EXIT
"$BIN" gen --quotes "$QUOTES" --seed 1 > "$dir/corpus.jsonl"
now() { date +%s.%N; }
cg="" sq=""
i=0
while [ "$i" -lt "$REPS" ]; do
	i=$((i + 1))
	rm -rf "$dir/data"
	t0=$(now)
	"$BIN" import --data "$dir/data" "$dir/corpus.jsonl" > /dev/null
	t1=$(now)
	python3 bench/outside/sqlite_load.py "$dir/corpus.jsonl" "$dir/sqlite.db" > "$dir/sqlite.json"
	t2=$(now)
	c=$(awk "BEGIN {printf \"%.2f\", $t1 - $t0}")
	s=$(awk "BEGIN {printf \"%.2f\", $t2 - $t1}")
	echo "run $i: claimgraph import $c s, SQLite (python3 sqlite3) $s s"
	cg="$cg $c" sq="$sq $s"
done
median() { echo "$@" | tr ' ' '\n' | grep . | sort -n | awk '{a[NR]=$1} END {print a[int((NR+1)/2)]}'; }
mc=$(median $cg) ms=$(median $sq)
echo "median: claimgraph import $mc s, SQLite $ms s: claimgraph takes $(awk "BEGIN {printf \"%.2f\", $mc / $ms}") of SQLite's time"
