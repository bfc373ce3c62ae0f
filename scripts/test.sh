#!/usr/bin/env bash
# npm test: installs and starts what the tests need (npm dependencies, Postgres, the Temporal
# dev server, Temporal's time-skipping test server, Asterisk 22), type-checks, and runs the
# whole jest suite. Extra arguments go to jest.
set -euo pipefail
cd "$(dirname "$0")/.."
DIALER_LOG_TAG='test'
source scripts/env.sh
source scripts/prelude.sh

ensure_node_deps
start_stack
# The offline voice and the audio converter (espeak-ng, sox) for the speech tests.
start_speech_tools
# Tests that wait days and weeks run on Temporal's time-skipping test server (Java, from Maven
# Central), started per test file through the SDK's existing-path option.
TEMPORAL_TEST_SERVER_PATH="$(bash scripts/temporal-test-server.sh)"
export TEMPORAL_TEST_SERVER_PATH
# The telephony end-to-end tests call through a real Asterisk 22 (Debian unstable in a
# debootstrap root under the cache; about 90 s the first time, under a second later).
# start_asterisk also checks, in a second, that every prompt an amount can name is there, so a
# broken install fails here, with the prompts named, before the slow suites start.
start_asterisk
log "type-checking"
npx tsc --noEmit -p tsconfig.json
npx tsc --noEmit -p apps/api/tsconfig.json
log "linting (eslint, with Temporal's rules for workflow code)"
npx eslint .
log "running jest"
# Mercurius loads an ES module (its query cache) with import(), which jest's sandbox runs only
# with Node's VM modules switched on.
LOG_LEVEL="${LOG_LEVEL:-warn}" NODE_OPTIONS="${NODE_OPTIONS:+$NODE_OPTIONS }--experimental-vm-modules --no-warnings=ExperimentalWarning" npx jest "$@"
