#!/usr/bin/env bash
# The reference service's pipeline as a plain serial script, the baseline
# `orchestrate run` is measured against (ci/bench/pipeline.sh runs it):
# build the static binary, vet, staticcheck, unit tests with coverage,
# docker build, docker run, wait until Docker says healthy, the acceptance
# tests against the container, remove what it made.
#
#   ci/bench/raw-steps.sh WORKDIR STATICCHECK RUN-ID
#
# WORKDIR holds orchestrate.yaml, service/ and tests/; STATICCHECK is a
# staticcheck binary. Everything it creates carries the label
# dev.orchestrate.bench=RUN-ID and is removed by it, whatever happens.
set -euo pipefail
work=$1 staticcheck=$2 run=$3
label="dev.orchestrate.bench=$run"
tag="deploy-notifier:raw-$run"
bin=$(mktemp -d)
cleanup() {
  ids=$(docker ps -aq --filter "label=$label")
  [ -z "$ids" ] || docker rm -f $ids >/dev/null
  docker rmi -f "$tag" >/dev/null 2>&1 || true
  rm -rf "$bin"
}
trap cleanup EXIT

cd "$work/service"
CGO_ENABLED=0 GOOS=linux go build -trimpath -ldflags='-s -w' -o "$bin/deploy-notifier" .
go vet ./...
(cd "$work/tests" && go vet ./...)
"$staticcheck" ./...
(cd "$work/tests" && "$staticcheck" ./...)
go test -cover ./... >/dev/null

cp Dockerfile "$bin/"
docker build -q --label "$label" -t "$tag" "$bin" >/dev/null
routes=$(sed -n "s/^ *NOTIFY_ROUTES: '\(.*\)'$/\1/p" compose.yaml)
id=$(docker run -d --label "$label" -p 127.0.0.1::8080 -e PORT=8080 -e "NOTIFY_ROUTES=$routes" "$tag")
until [ "$(docker inspect -f '{{.State.Health.Status}}' "$id")" = healthy ]; do
  if [ "$(docker inspect -f '{{.State.Running}}' "$id")" != true ]; then
    docker logs "$id" >&2
    exit 1
  fi
  sleep 0.1
done
port=$(docker port "$id" 8080/tcp | head -1 | sed 's/.*://')
cd "$work/tests"
BASE_URL="http://127.0.0.1:$port" go test -count=1 ./... >/dev/null
