#!/usr/bin/env bash
# gen.sh regenerates pkg/triage/testdata/corpus: it writes small throwaway
# Go modules holding one planted fault each under $WORK, runs the real
# tools on them (go build, go vet, go test plain, -v and -json, go mod
# tidy, docker build/run/info against the local daemon) and keeps what the
# tools printed (stdout and stderr together) as <case>/log.txt or
# <case>/log.jsonl. Each case's want.json is written from the fault this
# script planted, never from what the classifier says: the class, and where
# meaningful the test, the file and the line (found by a "// FAULT" marker
# in the planted source).
#
# Usage: pkg/triage/testdata/corpus/gen/gen.sh [case-prefix...]
# Needs Go and, for the Docker cases, a Docker daemon (skipped without one).
# Everything created in Docker carries the label dev.orchestrate.test=classifier
# and is removed at the end.
set -uo pipefail

CORPUS=$(cd "$(dirname "$0")/.." && pwd)
WORK=${WORK:-/tmp/orchestrate-classifier-corpus}
LABEL=dev.orchestrate.test=classifier
ONLY=("$@")
export GOWORK=off GOPROXY=off GOFLAGS= GOTOOLCHAIN=local GOSUMDB=off CGO_ENABLED=0

# selected CASE: whether CASE is one the command line asked for.
selected() {
	[ ${#ONLY[@]} -eq 0 ] && return 0
	for p in "${ONLY[@]}"; do
		case $1 in "$p"*) return 0 ;; esac
	done
	return 1
}

# any_selected PREFIX: whether a case named PREFIX... may be selected.
any_selected() {
	[ ${#ONLY[@]} -eq 0 ] && return 0
	for p in "${ONLY[@]}"; do
		case $1 in "$p"*) return 0 ;; esac
		case $p in "$1"*) return 0 ;; esac
	done
	return 1
}

# newmod DIR: a fresh module example.com/DIR in $WORK/DIR.
newmod() {
	rm -rf "${WORK:?}/$1"
	mkdir -p "$WORK/$1"
	printf 'module example.com/%s\n\ngo 1.24\n' "$1" >"$WORK/$1/go.mod"
}

# src DIR FILE: stdin becomes $WORK/DIR/FILE.
src() {
	mkdir -p "$(dirname "$WORK/$1/$2")"
	cat >"$WORK/$1/$2"
}

# lineof DIR FILE [MARKER]: the line of FILE marked "// FAULT" (or MARKER).
lineof() { grep -nF -- "${3:-// FAULT}" "$WORK/$1/$2" | head -1 | cut -d: -f1; }

# capture CASE LOGFILE DIR CMD...: runs CMD in $WORK/DIR; what it prints
# (stdout and stderr, merged as a terminal shows them) is the case's log.
capture() {
	local c=$1 log=$2 dir=$3
	shift 3
	selected "$c" || return 0
	rm -rf "${CORPUS:?}/$c"
	mkdir -p "$CORPUS/$c"
	(cd "$WORK/$dir" && "$@" >"$CORPUS/$c/$log" 2>&1)
	echo "$c: $(wc -c <"$CORPUS/$c/$log") bytes"
}

# want CASE KIND CLASS [TEST [FILE [LINE]]]: the case's expected failure.
want() {
	local c=$1
	selected "$c" || return 0
	{
		printf '{"kind": "%s", "class": "%s"' "$2" "$3"
		[ -n "${4:-}" ] && printf ', "test": "%s"' "$4"
		[ -n "${5:-}" ] && printf ', "file": "%s"' "$5"
		[ -n "${6:-}" ] && printf ', "line": %s' "$6"
		printf '}\n'
	} >"$CORPUS/$c/want.json"
}

# gotest CASE-BASE DIR TEST FILE LINE CLASS [go test flags...]: the same
# fault under go test plain, -v and -json.
gotest() {
	local base=$1 dir=$2 test=$3 file=$4 line=$5 class=$6
	shift 6
	capture "$base.go-test" log.txt "$dir" go test -count=1 "$@" ./...
	want "$base.go-test" go-test "$class" "$test" "$file" "$line"
	capture "$base.go-test-v" log.txt "$dir" go test -count=1 -v "$@" ./...
	want "$base.go-test-v" go-test-v "$class" "$test" "$file" "$line"
	capture "$base.go-test-json" log.jsonl "$dir" go test -count=1 -json "$@" ./...
	want "$base.go-test-json" go-test-json "$class" "$test" "$file" "$line"
}

mkdir -p "$WORK"
for f in "$(dirname "$0")"/[0-9]*.sh; do
	# shellcheck source=/dev/null
	. "$f"
done
