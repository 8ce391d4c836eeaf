#!/usr/bin/env bash
# Records the committed reference run again: `orchestrate run --offline
# --run-id reference` in a workdir holding only orchestrate.yaml and the
# replay cache (so its diffs show every generated file), then puts
# artifacts/reference/ and its summary in place of the old ones and points
# README.md, FIXES.md and .gitignore at the new summary. Needs Docker.
# Run it after a change that alters what a run records (a prompt's
# rendering, a phase added, an Output field); review `git diff` after.
set -euo pipefail
cd "$(dirname "$0")/.."
repo=$PWD
tmp=$(mktemp -d)
trap 'rm -rf "$tmp"' EXIT
go build -trimpath -o "$tmp/orchestrate" ./cmd/orchestrate
mkdir -p "$tmp/work/artifacts"
cp orchestrate.yaml "$tmp/work/"
cp -r artifacts/llm-cache "$tmp/work/artifacts/"
(cd "$tmp/work" && "$tmp/orchestrate" run --offline --run-id reference) || {
  echo "ci/reference.sh: the reference run did not succeed; nothing replaced (evidence in $tmp/work/artifacts/reference)" >&2
  trap - EXIT
  exit 1
}
new=$(cd "$tmp/work/artifacts" && ls summary-*.json | head -1)
old=$(cd artifacts && ls summary-*.json 2>/dev/null | head -1 || true)
rm -rf artifacts/reference
cp -r "$tmp/work/artifacts/reference" artifacts/reference
if [ -n "$old" ] && [ "$old" != "$new" ]; then
  git rm -q --cached "artifacts/$old" 2>/dev/null || true
  rm -f "artifacts/$old"
  sed -i "s/$old/$new/g" README.md FIXES.md .gitignore
fi
cp "$tmp/work/artifacts/$new" "artifacts/$new"
git add -A artifacts/reference "artifacts/$new" README.md FIXES.md .gitignore
echo "reference run recorded again: artifacts/reference, artifacts/$new"
