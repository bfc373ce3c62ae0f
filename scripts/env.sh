# shellcheck shell=bash
# Shared settings and helpers for scripts/*.sh. Source it, don't run it:
#   source "$(dirname "${BASH_SOURCE[0]}")/env.sh"
#
# Everything the scripts install or create lives outside the repo, under
# ${DIALER_CACHE:-$HOME/.cache/dialer}. The ports can be overridden from the environment.

if [[ -z "${HOME:-}" ]]; then
  HOME="$(getent passwd "$(id -u)" | cut -d: -f6)"
  export HOME
fi

export DIALER_CACHE="${DIALER_CACHE:-$HOME/.cache/dialer}"
export DIALER_LOG_DIR="$DIALER_CACHE/logs"
export DIALER_BIN_DIR="$DIALER_CACHE/bin"
export DIALER_RUN_DIR="$DIALER_CACHE/run"

export DIALER_PG_PORT="${DIALER_PG_PORT:-55432}"
export DIALER_TEMPORAL_PORT="${DIALER_TEMPORAL_PORT:-7233}"
export DIALER_TEMPORAL_UI_PORT="${DIALER_TEMPORAL_UI_PORT:-8233}"

# Prefix for progress lines; each script sets its own before sourcing (or after).
DIALER_LOG_TAG="${DIALER_LOG_TAG:-$(basename -- "${0:-dialer}" .sh)}"

# log MESSAGE...  — one short progress line on stderr.
log() {
  printf '[%s] %s\n' "$DIALER_LOG_TAG" "$*" >&2
}

# die MESSAGE... — report the failure on stderr and exit 1. Name what failed and the log to read.
die() {
  printf '[%s] ERROR: %s\n' "$DIALER_LOG_TAG" "$*" >&2
  exit 1
}

# port_open HOST PORT — true if something accepts TCP connections there (1 s timeout).
port_open() {
  local host="$1" port="$2"
  # shellcheck disable=SC2016 # expanded by the inner bash
  timeout 1 bash -c 'exec 3<>"/dev/tcp/$1/$2"' _ "$host" "$port" 2>/dev/null
}

# pid_alive PID — the process exists and is not a zombie (this box's PID 1 may never reap orphans,
# so a server that exited can linger as <defunct>: that is not running).
pid_alive() {
  local pid="$1" stat
  [[ "$pid" =~ ^[0-9]+$ ]] || return 1
  if [[ ! -d /proc/self ]]; then
    kill -0 "$pid" 2>/dev/null
    return
  fi
  stat="$(cat "/proc/$pid/stat" 2>/dev/null)" || return 1
  stat="${stat##*) }"
  [[ "${stat:0:1}" != Z && "${stat:0:1}" != X ]]
}

# wait_for_port HOST PORT SECONDS — wait until HOST:PORT accepts connections; false on timeout.
wait_for_port() {
  local host="$1" port="$2" seconds="${3:-30}"
  local deadline=$((SECONDS + seconds))
  until port_open "$host" "$port"; do
    if ((SECONDS >= deadline)); then
      return 1
    fi
    sleep 0.2
  done
}

# since T0 — seconds elapsed since T0 (taken from $EPOCHREALTIME), one decimal: "since $t0" -> 1.4
since() {
  local a="${1/,/.}" b="${EPOCHREALTIME/,/.}"
  LC_ALL=C awk -v a="$a" -v b="$b" 'BEGIN { printf "%.1f", b - a }'
}

# tail_log FILE [LINES] — show the end of a log on stderr, indented, to go with an error.
tail_log() {
  local file="$1" lines="${2:-20}"
  if [[ -r "$file" ]]; then
    printf '[%s] --- last %s lines of %s ---\n' "$DIALER_LOG_TAG" "$lines" "$file" >&2
    tail -n "$lines" "$file" | sed 's/^/    /' >&2
  fi
}

# with_lock NAME — serialise concurrent runs of the same script (e.g. `npm test` and `npm run demo`
# started together). Holds an flock on fd 9 until the calling script exits.
with_lock() {
  local name="$1" wait="${2:-900}"
  mkdir -p "$DIALER_RUN_DIR"
  exec 9>"$DIALER_RUN_DIR/$name.lock"
  if ! flock -n 9; then
    log "waiting for another '$name' run to finish (lock $DIALER_RUN_DIR/$name.lock)"
    flock -w "$wait" 9 || die "timed out after ${wait}s waiting for lock $DIALER_RUN_DIR/$name.lock"
  fi
}

mkdir -p "$DIALER_CACHE" "$DIALER_LOG_DIR" "$DIALER_BIN_DIR" "$DIALER_RUN_DIR"

# dispatch_component COMMAND... — the end of every component script (postgres, temporal,
# asterisk): one argument; `external` handles it when the caller points at a server of its own
# (external_mode), else the managed_* functions, and `ADDRESS_COMMAND` (url / address) prints
# MANAGED_ADDRESS_TEXT.
dispatch_component() {
  local cmd="${1:-}"
  [[ $# -eq 1 ]] || usage
  if external_mode; then
    external "$cmd"
    exit 0
  fi
  case "$cmd" in
    start) managed_start ;;
    stop) managed_stop ;;
    status) managed_status ;;
    "$ADDRESS_COMMAND") echo "$MANAGED_ADDRESS_TEXT" ;;
    *) usage ;;
  esac
}
