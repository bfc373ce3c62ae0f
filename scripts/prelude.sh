# shellcheck shell=bash
# What demo.sh, test.sh and bench.sh all do before their own work. Source after env.sh.

# ensure_node_deps: installs the npm dependencies when node_modules is missing or older than
# the lock file. Under a lock: two runs started together (a test and the demo) must not both
# run `npm ci`, which empties node_modules first.
ensure_node_deps() {
  mkdir -p "$DIALER_RUN_DIR"
  (
    flock -w 900 8 || die "timed out waiting for another npm install (lock $DIALER_RUN_DIR/npm-deps.lock)"
    local stamp=node_modules/.package-lock.json
    if [[ ! -f "$stamp" || package-lock.json -nt "$stamp" || package.json -nt "$stamp" ]]; then
      log "installing npm dependencies (npm ci)"
      npm ci --no-audit --no-fund >&2
    fi
  ) 8>"$DIALER_RUN_DIR/npm-deps.lock"
}

# start_stack: Postgres and the Temporal dev server (installed if missing), their addresses
# exported (DATABASE_URL, TEMPORAL_ADDRESS, TEMPORAL_UI_URL), and DIALER_PAYLOAD_KEYS (the one
# set already, else the development key stack.sh made once).
start_stack() {
  bash scripts/stack.sh start >/dev/null
  # shellcheck disable=SC1091
  source "$DIALER_CACHE/stack.env"
}

# migrate_database: the schema migrations, on DATABASE_URL.
migrate_database() {
  npx node-pg-migrate up --migrations-dir schema/migrations --check-order >"$DIALER_LOG_DIR/migrate.log" 2>&1 \
    || die "database migration failed: see $DIALER_LOG_DIR/migrate.log"
}

# start_asterisk: Asterisk 22 (installed if missing), ASTERISK_ARI_URL, ARI_USERNAME and
# ARI_PASSWORD exported, and every Russian prompt an amount can name checked through ARI.
# A failure stops the caller (the assignment, not a pipe, carries it).
start_asterisk() {
  local asterisk_env
  asterisk_env="$(bash scripts/asterisk.sh start)"
  eval "$(sed 's/^/export /' <<<"$asterisk_env")"
  npx tsx apps/cli/checkPrompts.ts >&2 || die "Asterisk lacks prompts that amounts are spoken with (named above)"
}

# start_speech_tools: espeak-ng (the offline voice) and sox (converting uploads and voices to
# what Asterisk plays), unpacked into the cache when the host lacks them; ESPEAK_NG_BIN and
# SOX_BIN exported for the worker, the fake SpeechKit server and the tests.
start_speech_tools() {
  local tools_env
  tools_env="$(bash scripts/speech-tools.sh start)"
  eval "$(sed 's/^/export /' <<<"$tools_env")"
}
