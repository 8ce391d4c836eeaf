#!/usr/bin/env bash
# Compares `orchestrate run --offline` on the reference spec with a plain
# serial script of the same raw steps (ci/bench/raw-steps.sh), alternately,
# N pairs in one go, and prints wall, CPU (user+sys of the process and the
# children it waited for) and peak memory (largest resident set of one
# process of the tree, as /usr/bin/time -v reports it) with the ratios.
#
#   ci/bench/pipeline.sh [N]              # N pairs, default 5
#   ORCHESTRATE=/path/to/orchestrate ci/bench/pipeline.sh 3
#   FULL=1 ci/bench/pipeline.sh 3         # orchestrate with its mutation phase
#
# The raw script has no mutation testing, so by default orchestrate runs
# with --skip mutation: the same work on both sides. The mutation phase
# has its own benchmark (go test -bench Reference ./pkg/mutation); FULL=1
# measures the whole pipeline against the same raw script. Every
# orchestrate run passes --no-cache: each does the work, with the go build
# cache as warm as the raw script's; the phase cache's warm re-run is
# measured apart (ci/bench/README.md).
#
# Both run in the same fresh export of this checkout's HEAD (git archive):
# orchestrate.yaml, service/, tests/ and the committed model answers.
# Needs Docker, go and GNU time (apt-get install time). The Docker
# daemon's own work (image builds, containers) is in the wall time of
# both, in neither's CPU or memory.
set -euo pipefail
n=${1:-5}
repo=$(cd "$(dirname "$0")/../.." && pwd)
tmp=$(mktemp -d)
trap 'rm -rf "$tmp"' EXIT
[ -x /usr/bin/time ] || { echo "pipeline.sh: /usr/bin/time is missing: apt-get install time" >&2; exit 2; }

# Tools, built once, outside the measurements.
orch=${ORCHESTRATE:-$tmp/orchestrate}
if [ -z "${ORCHESTRATE:-}" ]; then (cd "$repo" && go build -trimpath -o "$orch" ./cmd/orchestrate); fi
(cd "$repo" && go build -o "$tmp/staticcheck" honnef.co/go/tools/cmd/staticcheck)
work=$tmp/work
mkdir -p "$work"
git -C "$repo" archive HEAD orchestrate.yaml service tests artifacts/llm-cache artifacts/go.mod | tar -x -C "$work"
# Warm the module and build caches once for both, as a developer's are.
(cd "$work/service" && go build ./... && go vet ./... && cd ../tests && go vet ./...) >/dev/null

# measure NAME CMD... runs CMD under GNU time and appends "name wall cpu rss_kb".
measure() {
  local name=$1; shift
  if ! /usr/bin/time -v -o "$tmp/time" "$@" >"$tmp/$name.out" 2>&1; then
    echo "pipeline.sh: $name failed:" >&2; tail -30 "$tmp/$name.out" >&2; exit 1
  fi
  awk -v name="$name" '
    /Elapsed \(wall clock\)/ { n = split($NF, t, ":"); w = (n == 3) ? t[1]*3600 + t[2]*60 + t[3] : t[1]*60 + t[2] }
    /User time/ { u = $NF } /System time/ { s = $NF } /Maximum resident/ { m = $NF }
    END { printf "%s %.2f %.2f %d\n", name, w, u + s, m }' "$tmp/time" | tee -a "$tmp/results"
}

echo "name wall_s cpu_s peak_rss_kb"
for i in $(seq 1 "$n"); do
  measure raw "$repo/ci/bench/raw-steps.sh" "$work" "$tmp/staticcheck" "bench$$-$i"
  if [ -n "${FULL:-}" ]; then
    measure orchestrate "$orch" run --offline --no-cache --config "$work/orchestrate.yaml" --run-id "bench$$-$i"
  else
    measure orchestrate "$orch" run --offline --no-cache --skip mutation --config "$work/orchestrate.yaml" --run-id "bench$$-$i"
  fi
done

awk '
  { w[$1] += $2; c[$1] += $3; if ($4 > m[$1]) m[$1] = $4; k[$1]++ }
  END {
    for (x in k) printf "%-12s mean wall %6.2f s  mean cpu %6.2f s  peak rss %5.0f MB  (%d runs)\n", x, w[x]/k[x], c[x]/k[x], m[x]/1024, k[x]
    printf "ratio orchestrate/raw: wall %.2fx  cpu %.2fx  peak memory %.2fx\n", (w["orchestrate"]/k["orchestrate"])/(w["raw"]/k["raw"]), (c["orchestrate"]/k["orchestrate"])/(c["raw"]/k["raw"]), m["orchestrate"]/m["raw"]
  }' "$tmp/results"
# Where orchestrate's time went in its last run, phase by phase, and
# deploy's own split.
last=$(ls -t "$work"/artifacts/summary-*.json | head -1)
echo "phases of the last orchestrate run ($(basename "$last")):"
tr -d '\n' <"$last" | grep -o '"name": *"[a-z]*", *"status": *"[a-z]*", *"duration_seconds": *[0-9.]*' |
  sed 's/"name": *"\([a-z]*\)", *"status": *"\([a-z]*\)", *"duration_seconds": *\([0-9.]*\)/  \1 \3 s (\2)/'
echo "deploy: $(tr -d '\n ' <"$work"/artifacts/bench$$-$n/*-deploy/output.json | grep -o '"timings":{[^}]*}')"
