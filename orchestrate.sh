#!/usr/bin/env bash
# Build bin/orchestrate and run `orchestrate run` with the given arguments.
# With no arguments and no model configured (no OPENAI_API_KEY, no
# OLLAMA_HOST), it replays the committed model answers (--offline).
set -euo pipefail
cd "$(dirname "$0")"
if [ -f .env ]; then set -a; . ./.env; set +a; fi
if [ $# -eq 0 ] && [ -z "${OPENAI_API_KEY:-}" ] && [ -z "${OLLAMA_HOST:-}" ]; then
  echo "orchestrate.sh: no OPENAI_API_KEY or OLLAMA_HOST set: replaying the committed model answers (--offline). To use a real model, set them (see .env.example) and run ./orchestrate.sh again."
  set -- --offline
elif [ $# -eq 0 ]; then
  echo "orchestrate.sh: OPENAI_API_KEY or OLLAMA_HOST is set: calling the models and recording their answers. Unset both (or run ./orchestrate.sh --offline) to replay the committed ones."
fi
mkdir -p bin
go build -trimpath -o bin/orchestrate ./cmd/orchestrate
exec bin/orchestrate run "$@"
