#!/usr/bin/env bash
# npm run test:unit: jest's unit project only (the tests next to the code), with no Postgres, no
# Temporal dev server and no Asterisk. The workflow tests run on Temporal's time-skipping test
# server (Java, from Maven Central; ~30 s the first time, then cached), so its path is found or
# installed once here rather than by each test file. Extra arguments go to jest.
set -euo pipefail
cd "$(dirname "$0")/.."
DIALER_LOG_TAG='test-unit'
source scripts/env.sh

TEMPORAL_TEST_SERVER_PATH="$(bash scripts/temporal-test-server.sh)"
export TEMPORAL_TEST_SERVER_PATH
LOG_LEVEL="${LOG_LEVEL:-warn}" exec npx jest --selectProjects unit "$@"
