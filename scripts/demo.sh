#!/usr/bin/env bash
# npm run demo: installs and starts what is missing (Postgres, Temporal dev server), then the
# ARI simulator, the worker and the GraphQL API (DEMO_API_PORT, default 4000), and runs a demo
# campaign on examples/accounting-demo.csv through the API, with a key made for the run.
# npm run demo -- --asterisk: the same calls through a real Asterisk 22 (scripts/asterisk.sh)
# and its sandbox's simulated carrier instead of the ARI simulator.
# npm run demo -- --trunk: through the real Asterisk and the production SIP trunk
# (asterisk/production/pjsip.conf) to a carrier played by SIPp (scripts/sipp.sh), which answers
# each number by its last three digits (test/trunk/README.md): most answer.
# Postgres and Temporal stay up afterwards so the Temporal UI can be browsed; stop them with
# `bash scripts/stack.sh stop`.
set -euo pipefail
cd "$(dirname "$0")/.."
DIALER_LOG_TAG=demo
source scripts/env.sh
source scripts/prelude.sh

use_asterisk=false
use_trunk=false
for arg in "$@"; do
  case "$arg" in
    --asterisk) use_asterisk=true ;;
    --trunk) use_asterisk=true use_trunk=true ;;
    *) die "unknown option $arg (the options are --asterisk and --trunk)" ;;
  esac
done

ensure_node_deps
start_stack
# The offline voice the demo's messages are spoken in, and sox to convert them.
start_speech_tools
migrate_database
# Reference data the calling rules read, both idempotent: Russia's non-working days and the
# example extract of the numbering plan registry (the subscriber's zone from the number).
npx tsx apps/cli/calendarDays.ts import calendars/RU.csv >"$DIALER_LOG_DIR/reference-data.log" 2>&1 \
  && LOG_LEVEL=warn npx tsx apps/cli/importNumberingPlan.ts examples/numbering/*.csv >>"$DIALER_LOG_DIR/reference-data.log" 2>&1 \
  || die "loading the calendar and the numbering plan failed: see $DIALER_LOG_DIR/reference-data.log"

export TEMPORAL_TASK_QUEUE="${TEMPORAL_TASK_QUEUE:-dialer-demo}"
export CALL_DTMF_WAIT_MS="${CALL_DTMF_WAIT_MS:-1500}"

pids=()
api_key_name=""
cleanup() {
  for pid in "${pids[@]}"; do kill "$pid" 2>/dev/null || true; done
  wait 2>/dev/null || true
  # The run's key dies with the run.
  if [[ -n "$api_key_name" ]]; then
    npx tsx apps/cli/apiKey.ts revoke "$api_key_name" >>"$DIALER_LOG_DIR/api.log" 2>&1 || log "could not revoke the API key $api_key_name"
  fi
}
trap cleanup EXIT

if $use_asterisk; then
  start_asterisk
  if $use_trunk; then
    trunk_env="$(bash scripts/sipp.sh start answering)" || die "starting the SIP carrier (scripts/sipp.sh) failed: see above"
    ARI_ENDPOINT_TEMPLATE="$(sed -n 's/^TRUNK_ENDPOINT_TEMPLATE=//p' <<<"$trunk_env")"
    export ARI_ENDPOINT_TEMPLATE DEMO_TELEPHONY="Asterisk 22 at $ASTERISK_ARI_URL, through the SIP trunk to SIPp"
  else
    # The sandbox's simulated carrier picks the subscriber's behaviour from the number, as the
    # simulator does (asterisk/README.md).
    export ARI_ENDPOINT_TEMPLATE='Local/{number}@sim-carrier/n' DEMO_TELEPHONY="Asterisk 22 at $ASTERISK_ARI_URL"
  fi
else
  # A password of this run's own for the simulator's ARI user: nothing secret lives in the repo.
  ARI_PASSWORD="$(od -An -N12 -tx1 /dev/urandom | tr -d ' \n')"
  export ARI_PASSWORD ARI_USERNAME=dialer
  export ARI_SIM_PORT="${ARI_SIM_PORT:-8188}" ARI_SIM_TIME_SCALE="${ARI_SIM_TIME_SCALE:-0.25}"
  export ASTERISK_ARI_URL="http://127.0.0.1:$ARI_SIM_PORT" DEMO_TELEPHONY="the ARI simulator"
  port_open 127.0.0.1 "$ARI_SIM_PORT" && die "port $ARI_SIM_PORT is taken: set ARI_SIM_PORT to a free port"
  log "starting the ARI simulator on port $ARI_SIM_PORT (time scale $ARI_SIM_TIME_SCALE; log $DIALER_LOG_DIR/ari-simulator.log)"
  node --import tsx apps/ari-simulator/main.ts >"$DIALER_LOG_DIR/ari-simulator.log" 2>&1 &
  pids+=($!)
  wait_for_port 127.0.0.1 "$ARI_SIM_PORT" 30 || die "the ARI simulator did not start: see $DIALER_LOG_DIR/ari-simulator.log"
fi

log "starting the worker (log $DIALER_LOG_DIR/worker.log)"
node --import tsx apps/worker/main.ts >"$DIALER_LOG_DIR/worker.log" 2>&1 &
pids+=($!)

# The API the demo drives the campaign through, as an ERP would; the same task queue as the worker.
export DEMO_API_PORT="${DEMO_API_PORT:-4000}"
port_open 127.0.0.1 "$DEMO_API_PORT" && die "port $DEMO_API_PORT is taken: set DEMO_API_PORT to a free port"
log "building the API (log $DIALER_LOG_DIR/api-build.log)"
npm run build:api >"$DIALER_LOG_DIR/api-build.log" 2>&1 || die "building the API failed: see $DIALER_LOG_DIR/api-build.log"
log "starting the API on http://127.0.0.1:$DEMO_API_PORT/graphql (GraphiQL at /graphiql; log $DIALER_LOG_DIR/api.log)"
API_HOST=127.0.0.1 API_PORT="$DEMO_API_PORT" node dist/api/apps/api/src/main.js >"$DIALER_LOG_DIR/api.log" 2>&1 &
pids+=($!)
wait_for_port 127.0.0.1 "$DEMO_API_PORT" 60 || die "the API did not start: see $DIALER_LOG_DIR/api.log"
# An admin key for this run, made as `npm run api:key -- create` makes one; shown masked.
api_key_name="demo-$(date +%Y%m%d-%H%M%S)-$RANDOM"
DEMO_API_KEY="$(npx tsx apps/cli/apiKey.ts create "$api_key_name" admin 2>>"$DIALER_LOG_DIR/api.log")" \
  || die "creating the demo's API key failed: see $DIALER_LOG_DIR/api.log"
export DEMO_API_KEY DEMO_API_URL="http://127.0.0.1:$DEMO_API_PORT"
log "API key $api_key_name (admin) for this run: ${DEMO_API_KEY:0:10}… (revoked when the demo ends)"

npx tsx apps/demo/main.ts
