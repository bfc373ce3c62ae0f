#!/usr/bin/env bash
# A SIP carrier for the tests and the demo: SIPp (Debian's `sip-tester`) at the far end of the
# production PJSIP trunk (asterisk/production/pjsip.conf), loaded into the sandbox Asterisk.
#
#   scripts/sipp.sh start [MODE]   install SIPp if needed, render the production trunk into the
#                                  Asterisk root and reload PJSIP, (re)start the carrier in MODE:
#                                    answering  REGISTER and OPTIONS get 200, INVITEs are answered
#                                               by the number's last three digits (test/trunk/README.md)
#                                    silent     the carrier's address takes every packet and
#                                               answers none (a dead trunk: qualify fails)
#                                  Prints TRUNK_ENDPOINT_TEMPLATE=PJSIP/{number}@carrier,
#                                  TRUNK_CARRIER=127.0.0.1:<port>, TRUNK_ENDPOINT=PJSIP/carrier,
#                                  TRUNK_INVITE_LOG=<file>: a line per INVITE the carrier got
#                                  (the number, From, P-Asserted-Identity: the caller ID shown)
#   scripts/sipp.sh stop           stops the carrier (the trunk config stays; qualify then fails)
#   scripts/sipp.sh status         "running MODE (pid)" (exit 0) or "stopped" (exit 3)
#   scripts/sipp.sh bin            installs if needed and prints the path of the sipp wrapper
#
# Needs the sandbox Asterisk running (scripts/asterisk.sh start). Files:
#   $DIALER_CACHE/sipp/debs/    the .debs (sip-tester and the libraries this host lacks)
#   $DIALER_CACHE/sipp/root/    their contents (dpkg -x); nothing is installed system-wide
#   $DIALER_CACHE/bin/sipp      a wrapper with LD_LIBRARY_PATH into that root
#   $DIALER_LOG_DIR/sipp.log    SIPp's stdout/stderr; sipp-errors.log: its unexpected messages
# Environment: DIALER_SIPP_PORT (the carrier's SIP port, default 5070), DIALER_TRUNK_SIP_PORT
# (the port Asterisk's PJSIP binds on 127.0.0.1, default 5160), DIALER_TRUNK_QUALIFY_SECONDS
# (how often Asterisk asks the carrier with OPTIONS, default 4 here; 30 in production).
set -euo pipefail

DIALER_LOG_TAG=sipp
# shellcheck source=scripts/env.sh
source "$(dirname "${BASH_SOURCE[0]}")/env.sh"
# shellcheck source=scripts/debian-unpack.sh
source "$(dirname "${BASH_SOURCE[0]}")/debian-unpack.sh"

REPO_DIR="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
SIPP_HOME="$DIALER_CACHE/sipp"
SIPP_ROOT="$SIPP_HOME/root"
SIPP_BIN="$DIALER_BIN_DIR/sipp"
SIPP_PORT="${DIALER_SIPP_PORT:-5070}"
SIPP_MEDIA_PORT="${DIALER_SIPP_MEDIA_PORT:-6000}"
TRUNK_PORT="${DIALER_TRUNK_SIP_PORT:-5160}"
QUALIFY_SECONDS="${DIALER_TRUNK_QUALIFY_SECONDS:-4}"
PIDFILE="$DIALER_RUN_DIR/sipp.pid"
MODEFILE="$DIALER_RUN_DIR/sipp.mode"
# What the running carrier was started from (its scenario and this script): a carrier started by
# an older version is restarted, not reused.
SIGFILE="$DIALER_RUN_DIR/sipp.sig"
SIPP_LOG="$DIALER_LOG_DIR/sipp.log"
INVITE_LOG="$DIALER_LOG_DIR/sipp-invites.log"
AST_ROOT="$DIALER_CACHE/asterisk/root"
# Where the sandbox's pjsip.conf looks for the rendered trunk (#tryinclude, in the root).
TRUNK_CONF_REL=/var/lib/asterisk/dialer-trunk/pjsip.conf
SCENARIOS="$REPO_DIR/test/trunk/scenarios"
# The test account at the carrier; not a secret (the carrier is SIPp on loopback).
CARRIER_USERNAME=dialer-test
CARRIER_PASSWORD=sipp-carrier-test

usage() {
  echo "usage: $0 start [answering|silent] | stop | status | bin" >&2
  exit 2
}

# ---------------------------------------------------------------------------------------------
# Install: Debian's sip-tester and the libraries this host lacks, unpacked into the cache.

installed() {
  [[ -x "$SIPP_BIN" && -x "$SIPP_ROOT/usr/bin/sipp" ]]
}

install_sipp() {
  local t0=$EPOCHREALTIME
  : >"$DIALER_LOG_DIR/sipp-install.log"
  debian_unpack "$SIPP_HOME/debs" "$SIPP_ROOT" "$DIALER_LOG_DIR/sipp-install.log" sip-tester
  local libs
  libs="$(find "$SIPP_ROOT" -name '*.so*' -printf '%h\n' | sort -u | tr '\n' ':')"
  cat >"$SIPP_BIN" <<EOF
#!/bin/sh
# Written by scripts/sipp.sh: Debian's sipp from $SIPP_ROOT with its own libraries.
LD_LIBRARY_PATH="${libs%:}\${LD_LIBRARY_PATH:+:\$LD_LIBRARY_PATH}" exec "$SIPP_ROOT/usr/bin/sipp" "\$@"
EOF
  chmod 0755 "$SIPP_BIN"
  local missing
  missing="$(LD_LIBRARY_PATH="${libs%:}" ldd "$SIPP_ROOT/usr/bin/sipp" | grep 'not found' || true)"
  [[ -z "$missing" ]] || die "sipp still lacks libraries after unpacking sip-tester and its dependencies: $missing"
  log "installed $("$SIPP_BIN" -v 2>/dev/null | grep -o 'SIPp v[^ ,]*' | head -n1) in $(since "$t0") s ($SIPP_BIN)"
}

ensure_sipp() {
  mkdir -p "$DIALER_RUN_DIR"
  (
    flock -w 300 7 || die "timed out waiting for another SIPp install"
    installed || install_sipp
  ) 7>"$DIALER_RUN_DIR/sipp-install.lock"
}

# ---------------------------------------------------------------------------------------------
# The trunk: the production template rendered for this carrier, included by the sandbox.

asterisk_running() {
  [[ -x "$AST_ROOT/usr/sbin/asterisk" ]] && timeout 10 chroot "$AST_ROOT" /usr/sbin/asterisk -rx 'core show version' >/dev/null 2>&1
}

rx() {
  timeout 10 chroot "$AST_ROOT" /usr/sbin/asterisk -rx "$1" 2>&1
}

# missing_modules — the modules of the sandbox's modules.conf the running Asterisk lacks (one
# started before they were listed there).
missing_modules() {
  local running m
  running="$(rx 'module show' | awk '/ Running / && !/Not Running/ { print $1 }')"
  while read -r m; do
    grep -qx "$m" <<<"$running" || echo "$m"
  done < <(awk -F'[ =;]+' '$1 == "load" { print $2 }' "$REPO_DIR/asterisk/sandbox/modules.conf")
}

# ensure_sip_modules — PJSIP's modules cannot all be loaded into a running Asterisk (chan_pjsip
# misses res_pjsip_session's symbols then): an Asterisk without them is restarted, once.
ensure_sip_modules() {
  local missing
  missing="$(missing_modules | tr '\n' ' ')"
  [[ -z "$missing" ]] && return 0
  log "the running Asterisk lacks ${missing}; restarting it"
  bash "$REPO_DIR/scripts/asterisk.sh" stop >/dev/null
  bash "$REPO_DIR/scripts/asterisk.sh" start >/dev/null
  missing="$(missing_modules | tr '\n' ' ')"
  [[ -z "$missing" ]] || die "Asterisk did not load ${missing}; see $DIALER_LOG_DIR/asterisk-messages.log"
}

# install_trunk — prints "changed" when the rendered trunk differs from the one in the root.
install_trunk() {
  local out="$AST_ROOT$TRUNK_CONF_REL" tmp
  tmp="$(mktemp)"
  bash "$REPO_DIR/asterisk/production/render-pjsip.sh" >"$tmp" \
    SIP_BIND_ADDR=127.0.0.1 SIP_BIND_PORT="$TRUNK_PORT" \
    CARRIER_HOST=127.0.0.1 CARRIER_PORT="$SIPP_PORT" \
    CARRIER_USERNAME="$CARRIER_USERNAME" CARRIER_PASSWORD="$CARRIER_PASSWORD" \
    CARRIER_QUALIFY_SECONDS="$QUALIFY_SECONDS" \
    OPERATOR_101_PASSWORD="op101-$CARRIER_PASSWORD" OPERATOR_102_PASSWORD="op102-$CARRIER_PASSWORD"
  if [[ -f "$out" ]] && cmp -s "$tmp" "$out"; then
    rm -f "$tmp"
    return 0
  fi
  mkdir -p "$(dirname "$out")"
  mv "$tmp" "$out"
  chmod 0644 "$out"
  echo changed
}

# ---------------------------------------------------------------------------------------------
# The carrier process

carrier_pid() {
  local pid
  pid="$(cat "$PIDFILE" 2>/dev/null || true)"
  pid_alive "$pid" || return 1
  [[ "$(cat "/proc/$pid/comm" 2>/dev/null)" == sipp ]] || return 1
  echo "$pid"
}

stop_carrier() {
  local pid i
  if pid="$(carrier_pid)"; then
    kill -TERM "$pid" 2>/dev/null || true
    for ((i = 0; i < 25; i++)); do pid_alive "$pid" || break; sleep 0.2; done
    pid_alive "$pid" && kill -KILL "$pid" 2>/dev/null
    log "carrier stopped (pid $pid)"
  fi
  rm -f "$PIDFILE" "$MODEFILE" "$SIGFILE"
}

start_carrier() {
  local mode="$1" scenario
  case "$mode" in
    answering) scenario="$SCENARIOS/carrier.xml" ;;
    silent) scenario="$SCENARIOS/silent.xml" ;;
    *) die "unknown carrier mode '$mode' (answering or silent)" ;;
  esac
  [[ -r "$scenario" ]] || die "no scenario $scenario"
  local sig
  sig="$(cat "$scenario" "${BASH_SOURCE[0]}" | sha256sum | cut -c1-16)"
  if carrier_pid >/dev/null && [[ "$(cat "$MODEFILE" 2>/dev/null)" == "$mode" && "$(cat "$SIGFILE" 2>/dev/null)" == "$sig" ]]; then
    log "carrier already running ($mode)"
    return 0
  fi
  stop_carrier
  printf '\n--- %s scripts/sipp.sh start %s\n' "$(date -u +%FT%TZ)" "$mode" >>"$SIPP_LOG"
  # -bg would detach without telling us its pid; setsid + & keeps it ours and out of our group.
  # -nd: a call that ends in an unexpected message is not answered with a default response;
  # -trace_err: those messages go to sipp-errors.log. -aa is off: OPTIONS are the scenario's.
  # -deadcall_wait: a registration reuses its Call-ID, and a call that ended must not swallow it.
  # The scenario names its audio (g711a.pcap) relative to sip-tester's own folder.
  cd "$SIPP_ROOT/usr/share/sip-tester"
  setsid "$SIPP_BIN" -sf "$scenario" -i 127.0.0.1 -p "$SIPP_PORT" -mi 127.0.0.1 -mp "$SIPP_MEDIA_PORT" \
    -nd -nostdin -deadcall_wait 500 -trace_err -error_file "$DIALER_LOG_DIR/sipp-errors.log" \
    -trace_logs -log_file "$INVITE_LOG" \
    >>"$SIPP_LOG" 2>&1 </dev/null 7>&- 9>&- &
  local pid=$! i
  echo "$pid" >"$PIDFILE"
  echo "$mode" >"$MODEFILE"
  echo "$sig" >"$SIGFILE"
  for ((i = 0; i < 25; i++)); do
    pid_alive "$pid" || { tail_log "$SIPP_LOG"; die "SIPp exited at start; see $SIPP_LOG"; }
    ss -Hlun "sport = :$SIPP_PORT" 2>/dev/null | grep -q . && break
    sleep 0.2
  done
  log "carrier $mode on 127.0.0.1:$SIPP_PORT (pid $pid, log $SIPP_LOG)"
}

start() {
  local mode="${1:-answering}"
  ensure_sipp
  asterisk_running || die "the sandbox Asterisk is not running: bash scripts/asterisk.sh start first"
  # The sandbox's own config (its pjsip.conf includes the trunk) as asterisk.sh writes it.
  bash "$REPO_DIR/scripts/asterisk.sh" start >/dev/null
  with_lock sipp
  ensure_sip_modules
  if [[ "$(install_trunk)" == changed ]]; then
    log "trunk config rendered into $AST_ROOT$TRUNK_CONF_REL; reloading PJSIP"
    rx 'module reload res_pjsip.so' >/dev/null || log "WARNING: reloading res_pjsip failed"
  fi
  start_carrier "$mode"
  echo "TRUNK_ENDPOINT_TEMPLATE=PJSIP/{number}@carrier"
  echo "TRUNK_ENDPOINT=PJSIP/carrier"
  echo "TRUNK_CARRIER=127.0.0.1:$SIPP_PORT"
  echo "TRUNK_INVITE_LOG=$INVITE_LOG"
}

case "${1:-}" in
  start) shift; [[ $# -le 1 ]] || usage; start "$@" ;;
  stop) with_lock sipp; stop_carrier ;;
  status)
    if pid="$(carrier_pid)"; then echo "sipp: running $(cat "$MODEFILE" 2>/dev/null) (pid $pid, 127.0.0.1:$SIPP_PORT)"; else echo "sipp: stopped"; exit 3; fi
    ;;
  bin) ensure_sipp; echo "$SIPP_BIN" ;;
  *) usage ;;
esac
