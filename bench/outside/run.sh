#!/bin/sh
# The outside measurement of an import: a generated corpus of QUOTES quotes
# (default 100,000) imported by `claimgraph import` into a new data
# directory, and loaded into SQLite by bench/outside/sqlite_load.py (Python's
# sqlite3, the C library; the schema and indexes of bench/peers/sqlite.sql),
# each timed from its own start to its end, one after the other, REPS times
# (default 3), the two taking turns going first. Prints each time, the
# ratio of the medians and the median of the runs' ratios.
set -eu
BIN=${BIN:-bin/claimgraph}
QUOTES=${QUOTES:-100000}
REPS=${REPS:-3}
dir=$(mktemp -d)
trap 'rm -rf "$dir"' EXIT
"$BIN" gen --quotes "$QUOTES" --seed 1 > "$dir/corpus.jsonl"
now() { date +%s.%N; }
# timed_import and timed_sqlite print the seconds each load takes.
timed_import() {
	t0=$(now)
	"$BIN" import --data "$dir/data" "$dir/corpus.jsonl" > /dev/null
	t1=$(now)
	awk "BEGIN {printf \"%.2f\", $t1 - $t0}"
}
timed_sqlite() {
	t0=$(now)
	python3 bench/outside/sqlite_load.py "$dir/corpus.jsonl" "$dir/sqlite.db" > "$dir/sqlite.json"
	t1=$(now)
	awk "BEGIN {printf \"%.2f\", $t1 - $t0}"
}
cg="" sq="" ratios=""
i=0
while [ "$i" -lt "$REPS" ]; do
	i=$((i + 1))
	rm -rf "$dir/data" "$dir/sqlite.db" "$dir/sqlite.db-wal" "$dir/sqlite.db-shm"
	# The two loads take turns going first, so that a machine whose speed
	# drifts during a run slows both alike.
	if [ $((i % 2)) -eq 1 ]; then
		c=$(timed_import)
		s=$(timed_sqlite)
	else
		s=$(timed_sqlite)
		c=$(timed_import)
	fi
	r=$(awk "BEGIN {printf \"%.2f\", $c / $s}")
	echo "run $i: claimgraph import $c s, SQLite (python3 sqlite3) $s s: $r"
	cg="$cg $c" sq="$sq $s" ratios="$ratios $r"
done
median() { echo "$@" | tr ' ' '\n' | grep . | sort -n | awk '{a[NR]=$1} END {print a[int((NR+1)/2)]}'; }
mc=$(median $cg) ms=$(median $sq) mr=$(median $ratios)
echo "median: claimgraph import $mc s, SQLite $ms s: claimgraph takes $(awk "BEGIN {printf \"%.2f\", $mc / $ms}") of SQLite's time (median of the runs' ratios: $mr)"
