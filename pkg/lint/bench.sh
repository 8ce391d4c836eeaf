#!/usr/bin/env bash
# Times the lint phase of `orchestrate run --offline --only lint` on a copy of
# the reference service, for two orchestrate binaries in alternation: each
# once with an empty go build cache (cold) and once more with the cache that
# run left (warm). Wall time and peak RSS come from /usr/bin/time -v (the
# peak is the largest of orchestrate and the go and vet tool processes it
# waited for).
#
#   go build -o /tmp/new/orchestrate ./cmd/orchestrate
#   git stash; go build -o /tmp/old/orchestrate ./cmd/orchestrate; git stash pop
#   pkg/lint/bench.sh /tmp/old/orchestrate /tmp/new/orchestrate [pairs]
#
# Figures: pkg/lint/BENCHMARK.md.
set -euo pipefail

old=${1:?usage: bench.sh OLD_BINARY NEW_BINARY [pairs]}
new=${2:?usage: bench.sh OLD_BINARY NEW_BINARY [pairs]}
pairs=${3:-1}
repo=$(cd "$(dirname "$0")/../.." && pwd)
tmp=$(mktemp -d)
trap 'rm -rf "$tmp"' EXIT

# once NAME BINARY: a cold and a warm run in a fresh copy and a fresh cache.
once() {
	local name=$1 bin=$2 wd=$tmp/$1 cache=$tmp/$1-gocache
	rm -rf "$wd" "$cache"
	mkdir -p "$wd"
	cp -r "$repo/orchestrate.yaml" "$repo/service" "$repo/tests" "$repo/FIXES.md" "$wd/"
	for run in cold warm; do
		(cd "$wd" && GOCACHE=$cache /usr/bin/time -v "$bin" run --offline --only lint >"$tmp/out" 2>"$tmp/err") ||
			{ cat "$tmp/err" >&2; exit 1; }
		wall=$(sed -n 's/.*Elapsed (wall clock) time (h:mm:ss or m:ss): //p' "$tmp/err")
		rss=$(sed -n 's/.*Maximum resident set size (kbytes): //p' "$tmp/err")
		phase=$(sed -n 's/.*\[lint\] success in //p' "$tmp/err")
		printf '%-4s %-5s wall %8s  lint phase %7s  peak RSS %5d MB\n' "$name" "$run" "$wall" "$phase" $((rss / 1024))
	done
}

for _ in $(seq "$pairs"); do
	once old "$old"
	once new "$new"
done
