#!/usr/bin/env bash
# Generates registries of a country's size and measures them
# (docs/benchmarks.md, "Registry size (issue 13)"). Not part of .ci/run: a
# registry of 1 M certificates takes minutes and about 2.3 GB per database.
#
#   scripts/registry-scale.sh generate DIR N [N...]   # SQLite DIR/N.db and PostgreSQL database dcc_scale_N
#   scripts/registry-scale.sh bench DIR N [N...]      # BenchmarkScale on each, 5 runs side by side
#   scripts/registry-scale.sh drop DIR N [N...]       # removes them
#
# PostgreSQL is the server of DCC_TEST_POSTGRES_DSN (a DSN naming the
# postgres database, as .ci/run sets it); each size gets a database of its
# own, created and dropped here. Without it only SQLite is generated.
# DCC_SCALE_REVOKED (default 0.01) is the share of records revoked.
set -euo pipefail
cd "$(dirname "$0")/.."

cmd=${1:?usage: $0 generate|bench|drop DIR N [N...]}
dir=${2:?missing DIR}
shift 2
[ $# -gt 0 ] || { echo "missing N" >&2; exit 2; }
mkdir -p "$dir"
bin="$dir/registry.test"
base=${DCC_TEST_POSTGRES_DSN:-}

pgdsn() { # the DSN of database $1 on the server of DCC_TEST_POSTGRES_DSN
  [ -n "$base" ] || return 0
  printf '%s\n' "$base" | sed -E "s#(://[^/]*/)[^?]*#\\1$1#"
}
psql_base() { psql -w -v ON_ERROR_STOP=1 -q "$base" "$@"; }

case "$cmd" in
generate)
  go test -c -o "$bin" ./registry
  for n in "$@"; do
    if [ -n "$base" ]; then
      psql_base -c "DROP DATABASE IF EXISTS dcc_scale_$n" -c "CREATE DATABASE dcc_scale_$n"
    fi
    rm -f "$dir/$n.db" "$dir/$n.db-wal" "$dir/$n.db-shm"
    DCC_SCALE_GENERATE=$n DCC_SCALE_SEED=${DCC_SCALE_SEED:-13} \
      DCC_SCALE_SQLITE="$dir/$n.db" DCC_SCALE_POSTGRES="$(pgdsn "dcc_scale_$n")" \
      "$bin" -test.run '^TestScaleGenerate$' -test.v -test.timeout 0
  done
  df -h "$dir"
  ;;
bench)
  go test -c -o "$bin" ./registry
  for round in 1 2 3 4 5; do
    for n in "$@"; do
      echo "# round $round, $n records"
      DCC_SCALE_SQLITE="$dir/$n.db" DCC_SCALE_POSTGRES="$(pgdsn "dcc_scale_$n")" \
        "$bin" -test.run '^$' -test.bench '^BenchmarkScale$' -test.benchtime 10x -test.timeout 0
    done
  done
  ;;
drop)
  for n in "$@"; do
    rm -f "$dir/$n.db" "$dir/$n.db-wal" "$dir/$n.db-shm"
    [ -z "$base" ] || psql_base -c "DROP DATABASE IF EXISTS dcc_scale_$n"
  done
  ;;
*)
  echo "usage: $0 generate|bench|drop DIR N [N...]" >&2
  exit 2
  ;;
esac
