#!/usr/bin/env bash
# The project's own Asterisk 22 (Debian unstable's package, in a chroot), for tests and the demo.
#
#   scripts/asterisk.sh start    install if needed, write the sandbox config, start, wait for ARI;
#                                prints ASTERISK_ARI_URL=http://127.0.0.1:8089, ARI_USERNAME=dialer,
#                                ARI_PASSWORD=<generated once>, and where the worker writes the
#                                speech it plays: SPEECH_CACHE_DIR=<root>/var/lib/asterisk/sounds/
#                                dialer-speech, SPEECH_MEDIA_PREFIX=/var/lib/asterisk/sounds/
#                                dialer-speech (the same folder as Asterisk sees it in its root)
#                                (one per line, ready for `export`)
#   scripts/asterisk.sh stop     `core stop now` (then TERM, then KILL) and unmount /proc and /dev
#   scripts/asterisk.sh status   prints "running ..." (exit 0), "stopped ..." (exit 3), or what is
#                                broken in the root's sound layout or prompts (exit 1)
#   scripts/asterisk.sh url      prints the ARI base URL only
#   scripts/asterisk.sh callerids  renders the caller-ID pools of $DATABASE_URL into the root's
#                                /var/lib/asterisk/dialer-callerids/extensions.conf (asterisk/
#                                production/render-callerids.sh; the sandbox's extensions.conf
#                                includes it) and reloads the dialplan when it changed
#
# With ASTERISK_ARI_URL set (to anything but this script's own URL) nothing is installed or
# started: `start`/`status` only check that GET /ari/asterisk/info answers with ARI_USERNAME /
# ARI_PASSWORD, `url` prints it, `stop` does nothing.
#
# Asterisk 22 is not in Debian 12, so it runs in a Debian unstable root made with debootstrap:
#   $DIALER_CACHE/asterisk/root/         the root (debootstrap --variant=minbase sid + apt-get)
#   $DIALER_CACHE/asterisk/installed     marker: the installed package versions; its presence
#                                        makes `start` skip the install
#   $DIALER_CACHE/asterisk/ari-password  ARI password of user `dialer`, generated once (mode 600)
#   $DIALER_LOG_DIR/asterisk.log         Asterisk's stdout/stderr
#   $DIALER_LOG_DIR/asterisk-messages.log -> root's /var/log/asterisk/messages.log (its logger)
#   $DIALER_LOG_DIR/asterisk-install.log debootstrap and apt-get output
#   root's /var/spool/asterisk/sandbox/  what simulated subscribers and operators heard (.wav)
# The config is the repo's asterisk/sandbox/*.conf, copied over the stock /etc/asterisk (kept
# as /etc/asterisk.dist) on every start, with ${ARI_USERNAME} ${ARI_PASSWORD} ${ARI_PORT}
# substituted. While Asterisk runs, /proc and a read-only bind of /dev are mounted in the root;
# `stop` unmounts them (never `rm -rf` the root while they are mounted).
#
# Environment: DIALER_ASTERISK_ARI_PORT (default 8089; 8088 is left free),
# DIALER_DEBIAN_MIRROR (default: the Debian URI in this machine's apt sources).
set -euo pipefail

DIALER_LOG_TAG=asterisk
# shellcheck source=scripts/env.sh
source "$(dirname "${BASH_SOURCE[0]}")/env.sh"

REPO_DIR="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
SANDBOX_CONF_DIR="$REPO_DIR/asterisk/sandbox"
AST_HOME="$DIALER_CACHE/asterisk"
ROOT="$AST_HOME/root"
MARKER="$AST_HOME/installed"
PWFILE="$AST_HOME/ari-password"
AST_LOG="$DIALER_LOG_DIR/asterisk.log"
MSG_LOG="$ROOT/var/log/asterisk/messages.log"
INSTALL_LOG="$DIALER_LOG_DIR/asterisk-install.log"
ARI_PORT="${DIALER_ASTERISK_ARI_PORT:-8089}"
ARI_USER=dialer
MANAGED_URL="http://127.0.0.1:$ARI_PORT"
PACKAGES=(asterisk asterisk-modules asterisk-core-sounds-en-gsm)
OPTIONAL_PACKAGES=(asterisk-core-sounds-ru-gsm)
# The speech cache (adapters/speech/audioStore.ts): the worker writes <key>.sln files here and
# calls play sound:<this path>/<key>. Absolute: Debian's sounds folder is /usr/share/asterisk/
# sounds (package data), not this one, so a relative name would not find it.
SPEECH_DIR_REL=/var/lib/asterisk/sounds/dialer-speech
# The root's state folders, owned by the user Asterisk runs as. recording/ is where ARI's
# recordings go (recorded calls, docs/recording.md): Asterisk does not make it itself.
STATE_DIRS=(/run/asterisk /var/lib/asterisk /var/spool/asterisk /var/spool/asterisk/sandbox /var/spool/asterisk/recording /var/log/asterisk)

usage() {
  echo "usage: $0 start|stop|status|url|callerids" >&2
  exit 2
}

need_root() {
  ((EUID == 0)) || die "the Asterisk root needs chroot and mount: run as root (or set ASTERISK_ARI_URL to an Asterisk you run yourself)"
}

# ari_get URL USER PASSWORD — GET /ari/asterisk/info; prints curl's error on failure.
ari_get() {
  command -v curl >/dev/null 2>&1 || die "curl is needed to check ARI (apt-get install curl)"
  curl -sS -f --max-time 5 -u "$2:$3" -o /dev/null "${1%/}/ari/asterisk/info" 2>&1
}

# ---------------------------------------------------------------------------------------------
# External Asterisk (ASTERISK_ARI_URL set by the caller)

external_mode() {
  [[ -n "${ASTERISK_ARI_URL:-}" && "${ASTERISK_ARI_URL%/}" != "$MANAGED_URL" ]]
}

external_check() {
  local deadline=$((SECONDS + $1)) out=""
  while :; do
    if out="$(ari_get "$ASTERISK_ARI_URL" "${ARI_USERNAME:-}" "${ARI_PASSWORD:-}")"; then return 0; fi
    if ((SECONDS >= deadline)); then
      log "last error: ${out//$'\n'/ }"
      return 1
    fi
    sleep 1
  done
}

external() {
  case "$1" in
    start)
      log "ASTERISK_ARI_URL is set: using it, not installing or starting Asterisk"
      [[ -n "${ARI_USERNAME:-}" ]] || die "ASTERISK_ARI_URL is set but ARI_USERNAME is not"
      external_check 30 || die "ASTERISK_ARI_URL ($ASTERISK_ARI_URL) does not answer GET /ari/asterisk/info as '${ARI_USERNAME}' after 30 s"
      log "ARI answers"
      echo "ASTERISK_ARI_URL=$ASTERISK_ARI_URL"
      ;;
    status)
      if external_check 3; then
        echo "asterisk: external, answering ($ASTERISK_ARI_URL)"
      else
        echo "asterisk: external, NOT answering ($ASTERISK_ARI_URL)"
        exit 3
      fi
      ;;
    stop) log "ASTERISK_ARI_URL is set: that Asterisk is not managed by this script; nothing to stop" ;;
    url) echo "$ASTERISK_ARI_URL" ;;
    *) usage ;;
  esac
}

# ---------------------------------------------------------------------------------------------
# Mounts

# mounts_under DIR — mount points at or below DIR, deepest (and most recently stacked) first.
mounts_under() {
  local dir="$1"
  awk -v d="$dir" '{ p = $5; gsub(/\\040/, " ", p); if (p == d || index(p, d "/") == 1) print p }' \
    /proc/self/mountinfo | tac
}

unmount_all() {
  local m tries=0 left
  while left="$(mounts_under "$ROOT")" && [[ -n "$left" ]]; do
    if ((tries++ >= 5)); then
      die "could not unmount $(tr '\n' ' ' <<<"$left")(busy?); find the process with: fuser -vm $ROOT/proc"
    fi
    while IFS= read -r m; do
      if ! umount "$m" 2>/dev/null; then
        if ((tries >= 3)); then
          log "WARNING: $m is busy; detaching it lazily (umount -l)"
          umount -l "$m" 2>/dev/null || true
        fi
      fi
    done <<<"$left"
    [[ -z "$(mounts_under "$ROOT")" ]] || sleep 0.5
  done
  return 0
}

ensure_mounts() {
  mkdir -p "$ROOT/proc" "$ROOT/dev"
  if ! mountpoint -q "$ROOT/proc"; then
    mount -t proc proc "$ROOT/proc" || die "mount -t proc proc $ROOT/proc failed (this needs root with CAP_SYS_ADMIN)"
  fi
  if ! mountpoint -q "$ROOT/dev"; then
    mount --bind /dev "$ROOT/dev" || die "mount --bind /dev $ROOT/dev failed"
    # Read-only: device nodes stay usable, but nothing in the root can create or delete host
    # device files (and a stray `rm -rf` of the cache fails instead of emptying /dev).
    mount -o remount,bind,ro "$ROOT/dev" 2>/dev/null \
      || log "WARNING: could not make the /dev bind read-only; it is read-write"
  fi
}

# ---------------------------------------------------------------------------------------------
# Install

# debian_mirror — the Debian archive URI this machine's apt uses (one serving dists/sid).
debian_mirror() {
  if [[ -n "${DIALER_DEBIAN_MIRROR:-}" ]]; then
    echo "${DIALER_DEBIAN_MIRROR%/}"
    return
  fi
  local f uris=() u
  shopt -s nullglob
  for f in /etc/apt/sources.list /etc/apt/sources.list.d/*.list; do
    [[ -r "$f" ]] || continue
    while read -r u; do uris+=("$u"); done < <(awk '$1 == "deb" { for (i = 2; i <= NF; i++) if ($i ~ /^[a-z+]+:\/\//) { print $i; break } }' "$f")
  done
  for f in /etc/apt/sources.list.d/*.sources; do
    while read -r u; do uris+=("$u"); done < <(awk 'tolower($1) == "uris:" { for (i = 2; i <= NF; i++) print $i }' "$f")
  done
  shopt -u nullglob
  ((${#uris[@]})) || die "no apt source URI found in /etc/apt/sources.list{,.d}; set DIALER_DEBIAN_MIRROR (e.g. http://deb.debian.org/debian)"
  # Plain Debian archives first (.../debian), then the rest; the first that serves sid wins.
  local ordered=() seen=" "
  for u in "${uris[@]}"; do [[ "${u%/}" =~ /debian$ ]] && ordered+=("${u%/}"); done
  for u in "${uris[@]}"; do [[ "${u%/}" =~ /debian$ ]] || ordered+=("${u%/}"); done
  for u in "${ordered[@]}"; do
    [[ "$seen" == *" $u "* ]] && continue
    seen+="$u "
    if curl -sfI --max-time 20 "$u/dists/sid/InRelease" >/dev/null 2>&1 \
      || curl -sfI --max-time 20 "$u/dists/sid/Release" >/dev/null 2>&1; then
      echo "$u"
      return
    fi
  done
  die "none of the apt source URIs (${ordered[*]}) serves dists/sid; set DIALER_DEBIAN_MIRROR to a Debian mirror that does"
}

ensure_debootstrap() {
  command -v debootstrap >/dev/null 2>&1 && return 0
  log "installing debootstrap with apt-get (log: $INSTALL_LOG)"
  local apt=(env DEBIAN_FRONTEND=noninteractive apt-get install -y -q --no-install-recommends debootstrap)
  if ! "${apt[@]}" >>"$INSTALL_LOG" 2>&1; then
    log "apt-get install failed; running apt-get update and retrying"
    env DEBIAN_FRONTEND=noninteractive apt-get update -q >>"$INSTALL_LOG" 2>&1 \
      || { tail_log "$INSTALL_LOG"; die "apt-get update failed; see $INSTALL_LOG"; }
    "${apt[@]}" >>"$INSTALL_LOG" 2>&1 \
      || { tail_log "$INSTALL_LOG"; die "apt-get install debootstrap failed; see $INSTALL_LOG"; }
  fi
}

# in_root CMD... — run CMD in the root with a clean environment (proxy settings kept).
in_root() {
  local keep=() v
  for v in http_proxy https_proxy no_proxy HTTP_PROXY HTTPS_PROXY NO_PROXY; do
    if [[ -n "${!v:-}" ]]; then keep+=("$v=${!v}"); fi
  done
  chroot "$ROOT" /usr/bin/env -i PATH=/usr/sbin:/usr/bin:/sbin:/bin HOME=/root LANG=C.UTF-8 \
    DEBIAN_FRONTEND=noninteractive "${keep[@]}" "$@"
}

installed() {
  [[ -s "$MARKER" && -x "$ROOT/usr/sbin/asterisk" ]]
}

install_root() {
  local t0=$EPOCHREALTIME t1 mirror
  mkdir -p "$AST_HOME"
  : >"$INSTALL_LOG"
  ensure_debootstrap
  mirror="$(debian_mirror)"

  if [[ -e "$ROOT" ]]; then
    # An interrupted install: start over (after making sure nothing is mounted in it).
    log "removing the unfinished root $ROOT"
    unmount_all
    [[ -z "$(mounts_under "$ROOT")" ]] || die "mounts remain under $ROOT; not removing it"
    rm -rf --one-file-system "$ROOT"
  fi

  log "debootstrap --variant=minbase sid from $mirror (log: $INSTALL_LOG)"
  if ! debootstrap --variant=minbase sid "$ROOT" "$mirror" >>"$INSTALL_LOG" 2>&1; then
    unmount_all
    tail_log "$INSTALL_LOG"
    die "debootstrap failed; see $INSTALL_LOG (and $ROOT/debootstrap/debootstrap.log)"
  fi
  unmount_all # debootstrap may leave its own binds behind in a container
  log "debootstrap done in $(since "$t0") s"

  t1=$EPOCHREALTIME
  # The mirror may serve a snapshot whose Release file looks expired to apt.
  cat >"$ROOT/etc/apt/apt.conf.d/99dialer" <<'EOF'
// Written by scripts/asterisk.sh.
Acquire::Check-Valid-Until "false";
Acquire::Retries "3";
APT::Install-Recommends "false";
APT::Install-Suggests "false";
EOF
  # The host's apt proxy, if it has one, is needed in the root too.
  apt-config dump 2>/dev/null | grep -Ei '^Acquire::(https?|ftp)::Proxy' >>"$ROOT/etc/apt/apt.conf.d/99dialer" || true
  # Package scripts must not start services inside the root.
  printf '#!/bin/sh\nexit 101\n' >"$ROOT/usr/sbin/policy-rc.d"
  chmod 0755 "$ROOT/usr/sbin/policy-rc.d"
  cp -L /etc/resolv.conf "$ROOT/etc/resolv.conf" 2>/dev/null || true
  ensure_mounts
  log "apt-get install ${PACKAGES[*]} in the root"
  in_root apt-get update -q >>"$INSTALL_LOG" 2>&1 \
    || { unmount_all; tail_log "$INSTALL_LOG"; die "apt-get update in $ROOT failed; see $INSTALL_LOG"; }
  local pkgs=("${PACKAGES[@]}") p
  for p in "${OPTIONAL_PACKAGES[@]}"; do
    if [[ -n "$(in_root apt-cache policy "$p" 2>/dev/null | awk '/Candidate:/ && $2 != "(none)" { print $2 }')" ]]; then
      pkgs+=("$p")
    else
      log "note: $p is not in sid; skipping it"
    fi
  done
  in_root apt-get install -y -q --no-install-recommends "${pkgs[@]}" >>"$INSTALL_LOG" 2>&1 \
    || { unmount_all; tail_log "$INSTALL_LOG"; die "apt-get install ${pkgs[*]} in $ROOT failed; see $INSTALL_LOG"; }
  in_root apt-get clean >>"$INSTALL_LOG" 2>&1 || true
  id_in_root asterisk >/dev/null || { unmount_all; die "the asterisk package did not create the 'asterisk' user in $ROOT"; }
  # Keep the stock config for reference; ours replaces it entirely at every start.
  if [[ -d "$ROOT/etc/asterisk" && ! -e "$ROOT/etc/asterisk.dist" ]]; then
    cp -a "$ROOT/etc/asterisk" "$ROOT/etc/asterisk.dist"
  fi
  log "apt-get done in $(since "$t1") s"

  local versions
  # shellcheck disable=SC2016 # dpkg-query's format, not shell
  versions="$(in_root dpkg-query -W -f='${Package}=${Version}\n' "${pkgs[@]}")"
  printf '# Written by scripts/asterisk.sh; delete it to reinstall.\n%s\n' "$versions" >"$MARKER"
  log "installed $(grep '^asterisk=' "$MARKER") in $(since "$t0") s"
}

# The sound layout Asterisk needs: Debian's Russian prompts package installs its files as
# sounds/ru_RU_f_IvrvoiceRU and registers no `ru` folder, while Asterisk looks for sounds/ru.
# sounds/ru must be a link to that folder. An earlier version could synthesise the missing
# prompts into a real sounds/ru before the link existed, hiding Debian's digits: such a folder
# is repaired by moving its files into the linked folder (Debian's files win) and linking.
SOUNDS_REL=/usr/share/asterisk/sounds
RU_PACKAGE_DIR=ru_RU_f_IvrvoiceRU

# sound_layout_problem — prints what is wrong with the root's sounds/ru, or nothing.
sound_layout_problem() {
  local sounds="$ROOT$SOUNDS_REL"
  [[ -d "$sounds/$RU_PACKAGE_DIR" ]] || return 0 # no Debian Russian prompts: sounds/ru stands alone
  if [[ ! -e "$sounds/ru" && ! -L "$sounds/ru" ]]; then
    echo "$sounds/ru is missing (it must link to $RU_PACKAGE_DIR)"
  elif [[ ! -L "$sounds/ru" ]]; then
    echo "$sounds/ru is a real folder, hiding Debian's prompts in $RU_PACKAGE_DIR"
  elif [[ "$(readlink "$sounds/ru")" != "$RU_PACKAGE_DIR" ]]; then
    echo "$sounds/ru links to $(readlink "$sounds/ru"), not $RU_PACKAGE_DIR"
  fi
}

ensure_sound_layout() {
  local sounds="$ROOT$SOUNDS_REL" problem
  problem="$(sound_layout_problem)"
  [[ -z "$problem" ]] && return 0
  log "repairing the sound layout: $problem"
  if [[ -d "$sounds/ru" && ! -L "$sounds/ru" ]]; then
    # -n: Debian's recordings are kept where both have a file of the same name.
    cp -a -n "$sounds/ru/." "$sounds/$RU_PACKAGE_DIR/"
    rm -rf --one-file-system "$sounds/ru"
  else
    rm -f "$sounds/ru"
  fi
  ln -s "$RU_PACKAGE_DIR" "$sounds/ru"
  problem="$(sound_layout_problem)"
  [[ -z "$problem" ]] || die "could not repair the sound layout: $problem"
}

# missing_sandbox_prompts — the prompts of asterisk/sandbox/prompts-ru.tsv not in sounds/ru.
missing_sandbox_prompts() {
  local path words
  while IFS=$'\t' read -r path words; do
    [[ -z "$path" || "$path" == \#* ]] && continue
    compgen -G "$ROOT$SOUNDS_REL/ru/$path.*" >/dev/null || echo "$path"
  done <"$SANDBOX_CONF_DIR/prompts-ru.tsv"
}

# ensure_sandbox_prompts: the Russian prompts money needs that Debian's package lacks
# (asterisk/sandbox/prompts-ru.tsv), spoken by espeak-ng into 8 kHz WAV files in the root's
# sounds, so the sandbox says every amount whole. Once per list version (its checksum), and
# again whenever a listed file is missing. The layout comes first, so that the files land in
# the folder Asterisk reads, whatever the order of earlier installs.
ensure_sandbox_prompts() {
  local list="$SANDBOX_CONF_DIR/prompts-ru.tsv" sum marker
  ensure_sound_layout
  sum="$(sha256sum "$list" | cut -c1-16)"
  marker="$AST_HOME/prompts-$sum"
  [[ -e "$marker" && -z "$(missing_sandbox_prompts)" ]] && return 0
  local t0=$EPOCHREALTIME
  ensure_mounts
  log "synthesising the missing Russian prompts with espeak-ng (log: $INSTALL_LOG)"
  in_root apt-get install -y -q --no-install-recommends espeak-ng sox >>"$INSTALL_LOG" 2>&1 \
    || { in_root apt-get update -q >>"$INSTALL_LOG" 2>&1 && in_root apt-get install -y -q --no-install-recommends espeak-ng sox >>"$INSTALL_LOG" 2>&1; } \
    || { tail_log "$INSTALL_LOG"; die "installing espeak-ng and sox in $ROOT failed; see $INSTALL_LOG"; }
  local path words
  while IFS=$'\t' read -r path words; do
    [[ -z "$path" || "$path" == \#* ]] && continue
    # shellcheck disable=SC2016 # expanded inside the root's shell
    in_root sh -c 'mkdir -p "$(dirname "/usr/share/asterisk/sounds/ru/$1")" &&
      espeak-ng -v ru -s 150 -w /tmp/prompt.wav "$2" &&
      sox /tmp/prompt.wav -r 8000 -c 1 -b 16 "/usr/share/asterisk/sounds/ru/$1.wav"' _ "$path" "$words" >>"$INSTALL_LOG" 2>&1 \
      || { tail_log "$INSTALL_LOG"; die "synthesising $path failed; see $INSTALL_LOG"; }
  done <"$list"
  local missing
  missing="$(missing_sandbox_prompts)"
  [[ -z "$missing" ]] || die "after synthesis these prompts are still missing from $ROOT$SOUNDS_REL/ru: $(tr '\n' ' ' <<<"$missing")"
  rm -f "$AST_HOME"/prompts-*
  : >"$marker"
  log "prompts ready in $(since "$t0") s"
}

id_in_root() {
  in_root id -u "$1" 2>/dev/null
}

# ---------------------------------------------------------------------------------------------
# Config

ensure_password() {
  if [[ ! -s "$PWFILE" ]]; then
    log "generating the ARI password ($PWFILE)"
    (umask 077 && head -c 48 /dev/urandom | base64 | tr -dc 'A-Za-z0-9' | head -c 32 >"$PWFILE")
  fi
  chmod 0600 "$PWFILE"
  ARI_PASS="$(cat "$PWFILE")"
  [[ "$ARI_PASS" =~ ^[A-Za-z0-9]{16,}$ ]] || die "$PWFILE does not hold a usable password (16+ letters/digits); delete it to generate a new one"
}

# render_config DIR — the sandbox config with the three placeholders substituted, into DIR.
render_config() {
  local out="$1" f
  for f in "$SANDBOX_CONF_DIR"/*.conf; do
    sed -e "s/\${ARI_USERNAME}/$ARI_USER/g" -e "s/\${ARI_PASSWORD}/$ARI_PASS/g" \
      -e "s/\${ARI_PORT}/$ARI_PORT/g" "$f" >"$out/$(basename "$f")"
  done
}

# install_config — prints "changed" when /etc/asterisk in the root was rewritten.
install_config() {
  local stage etc="$ROOT/etc/asterisk"
  compgen -G "$SANDBOX_CONF_DIR/*.conf" >/dev/null || die "no config in $SANDBOX_CONF_DIR/*.conf"
  stage="$(mktemp -d "$AST_HOME/conf.XXXXXX")"
  render_config "$stage"
  if [[ -d "$etc" ]] && diff -rq "$stage" "$etc" >/dev/null 2>&1; then
    rm -rf "$stage"
    return 0
  fi
  mkdir -p "$etc"
  find "$etc" -mindepth 1 -delete
  cp "$stage"/*.conf "$etc/"
  rm -rf "$stage"
  chown -R "root:$(in_root id -g asterisk)" "$etc"
  chmod 0750 "$etc"
  chmod 0640 "$etc"/*.conf
  echo changed
}

ensure_state_dirs() {
  local uid gid d
  uid="$(id_in_root asterisk)" || die "no 'asterisk' user in $ROOT; delete $MARKER to reinstall"
  gid="$(in_root id -g asterisk)"
  for d in "${STATE_DIRS[@]}"; do
    mkdir -p "$ROOT$d"
    chown "$uid:$gid" "$ROOT$d"
  done
  chown -R "$uid:$gid" "$ROOT/var/lib/asterisk" "$ROOT/var/spool/asterisk" "$ROOT/var/log/asterisk"
  ln -sfn "$MSG_LOG" "$DIALER_LOG_DIR/asterisk-messages.log"
}

# prune_recordings — the simulated parties' recordings of earlier runs, older than a day, go.
prune_recordings() {
  local dir="$ROOT/var/spool/asterisk/sandbox" n
  [[ -d "$dir" ]] || return 0
  n="$(find "$dir" -maxdepth 1 -type f \( -name '*.wav' -o -name '*.gsm' \) -mmin +1440 -print -delete | wc -l)"
  if ((n > 0)); then log "removed $n sandbox recordings older than a day from $dir"; fi
}

# ---------------------------------------------------------------------------------------------
# Process

# asterisk_pid — pid of the Asterisk running in our root, or false.
asterisk_pid() {
  local pid comm
  pid="$(cat "$ROOT/run/asterisk/asterisk.pid" 2>/dev/null || true)"
  pid_alive "$pid" || return 1
  comm="$(cat "/proc/$pid/comm" 2>/dev/null)" || return 1
  [[ "$comm" == asterisk ]] || return 1
  [[ "$(readlink "/proc/$pid/root" 2>/dev/null)" == "$(readlink -f "$ROOT")" ]] || return 1
  echo "$pid"
}

rx() {
  timeout 10 chroot "$ROOT" /usr/sbin/asterisk -rx "$1" 2>&1
}

ari_answers() {
  ari_get "$MANAGED_URL" "$ARI_USER" "$ARI_PASS" >/dev/null
}

# unmount_unless_running — on any failed start: leave no mounts behind.
unmount_unless_running() {
  if ! asterisk_pid >/dev/null && [[ -d "$ROOT" ]]; then unmount_all; fi
}

# kill_pid PID — TERM, then KILL after 5 s.
kill_pid() {
  local pid="$1" i
  kill -TERM "$pid" 2>/dev/null || true
  for ((i = 0; i < 25; i++)); do pid_alive "$pid" || return 0; sleep 0.2; done
  log "pid $pid still running after TERM; sending KILL"
  kill -KILL "$pid" 2>/dev/null || true
  for ((i = 0; i < 25; i++)); do pid_alive "$pid" || return 0; sleep 0.2; done
  return 1
}

managed_start() {
  need_root
  with_lock asterisk
  trap unmount_unless_running EXIT
  if ! installed; then install_root; fi
  ensure_sandbox_prompts
  ensure_password
  local pid changed
  changed="$(install_config)"
  if pid="$(asterisk_pid)"; then
    ensure_mounts
    if [[ "$changed" == changed ]]; then
      log "config changed; reloading (module list changes need: $0 stop && $0 start)"
      rx 'core reload' >/dev/null || log "WARNING: 'core reload' failed"
    fi
    log "already running (pid $pid, root $ROOT)"
  else
    if port_open 127.0.0.1 "$ARI_PORT"; then
      die "port $ARI_PORT on 127.0.0.1 is taken by another process; stop it or set DIALER_ASTERISK_ARI_PORT"
    fi
    ensure_mounts
    ensure_state_dirs
    prune_recordings
    rm -f "$ROOT/run/asterisk/asterisk.ctl" "$ROOT/run/asterisk/asterisk.pid"
    log "starting Asterisk on 127.0.0.1:$ARI_PORT (root $ROOT, log $AST_LOG, $DIALER_LOG_DIR/asterisk-messages.log)"
    local t0=$EPOCHREALTIME
    printf '\n--- %s scripts/asterisk.sh start\n' "$(date -u +%FT%TZ)" >>"$AST_LOG"
    # -f: stay in the foreground (this script backgrounds it); no -c: no console.
    # 9>&- : Asterisk must not inherit the lock descriptor.
    setsid chroot "$ROOT" /usr/bin/env -i PATH=/usr/sbin:/usr/bin:/sbin:/bin LANG=C.UTF-8 \
      /usr/sbin/asterisk -U asterisk -G asterisk -f -n </dev/null >>"$AST_LOG" 2>&1 9>&- &
    local child=$! deadline=$((SECONDS + 60))
    until ari_answers; do
      if ! pid_alive "$child"; then
        tail_log "$AST_LOG"
        tail_log "$MSG_LOG"
        die "Asterisk exited during startup; see $AST_LOG and $DIALER_LOG_DIR/asterisk-messages.log"
      fi
      if ((SECONDS >= deadline)); then
        tail_log "$MSG_LOG"
        kill_pid "$child"
        die "Asterisk started but ARI on $MANAGED_URL did not answer within 60 s (stopped it again); see $DIALER_LOG_DIR/asterisk-messages.log"
      fi
      sleep 0.2
    done
    # A fresh run: the simulated subscribers' per-number call counters start from zero.
    rx 'database deltree sim' >/dev/null || true
    log "started in $(since "$t0") s (pid $child)"
  fi
  echo "ASTERISK_ARI_URL=$MANAGED_URL"
  echo "ARI_USERNAME=$ARI_USER"
  echo "ARI_PASSWORD=$ARI_PASS"
  ensure_speech_dir
  echo "SPEECH_CACHE_DIR=$ROOT$SPEECH_DIR_REL"
  echo "SPEECH_MEDIA_PREFIX=$SPEECH_DIR_REL"
}

# ensure_speech_dir — the speech cache's folder, readable by Asterisk's user (the worker writes
# its files, mode 0644, as whoever it runs as).
ensure_speech_dir() {
  local uid gid
  mkdir -p "$ROOT$SPEECH_DIR_REL"
  uid="$(id_in_root asterisk)" && gid="$(in_root id -g asterisk)" && chown "$uid:$gid" "$ROOT$SPEECH_DIR_REL"
  chmod 0755 "$ROOT$SPEECH_DIR_REL"
}

managed_stop() {
  need_root
  with_lock asterisk
  local pid i
  if pid="$(asterisk_pid)"; then
    log "stopping Asterisk (pid $pid)"
    rx 'core stop now' >/dev/null || true
    for ((i = 0; i < 50; i++)); do pid_alive "$pid" || break; sleep 0.2; done
    if pid_alive "$pid"; then
      log "still running 10 s after 'core stop now'; sending TERM"
      kill_pid "$pid" || die "Asterisk (pid $pid) does not exit even after KILL; see $AST_LOG"
    fi
    log "stopped"
  else
    log "not running"
  fi
  if [[ -d "$ROOT" ]]; then unmount_all; fi
  rm -f "$ROOT/run/asterisk/asterisk.ctl" "$ROOT/run/asterisk/asterisk.pid" 2>/dev/null || true
}

managed_status() {
  if ! installed; then
    echo "asterisk: not installed (no $MARKER)"
    exit 3
  fi
  local pid problem missing
  problem="$(sound_layout_problem)"
  missing="$(missing_sandbox_prompts | tr '\n' ' ')"
  if [[ -n "$problem" || -n "$missing" ]]; then
    echo "asterisk: broken sound layout: ${problem:-}${problem:+; }${missing:+missing prompts: $missing}(\`$0 start\` repairs it)"
    exit 1
  fi
  if pid="$(asterisk_pid)"; then
    ARI_PASS="$(cat "$PWFILE" 2>/dev/null || true)"
    if ari_answers; then
      echo "asterisk: running (pid $pid, $(grep '^asterisk=' "$MARKER"), ARI $MANAGED_URL, root $ROOT, log $AST_LOG)"
    else
      echo "asterisk: process $pid is up but ARI on $MANAGED_URL does not answer (see $DIALER_LOG_DIR/asterisk-messages.log)"
      exit 1
    fi
  else
    local mounts
    mounts="$(mounts_under "$ROOT")"
    echo "asterisk: stopped ($(grep '^asterisk=' "$MARKER"), root $ROOT${mounts:+; still mounted: $(tr '\n' ' ' <<<"$mounts")})"
    exit 3
  fi
}

# The caller-ID pools' numbers, where the sandbox's from-carrier looks for them (#tryinclude).
CALLERIDS_CONF_REL=/var/lib/asterisk/dialer-callerids/extensions.conf

managed_callerids() {
  need_root
  with_lock asterisk
  asterisk_pid >/dev/null || die "Asterisk is not running: $0 start first"
  local changed
  changed="$(bash "$REPO_DIR/asterisk/production/render-callerids.sh" --into "$ROOT$CALLERIDS_CONF_REL")" \
    || die "rendering the caller-ID pools from DATABASE_URL failed"
  if [[ "$changed" == changed ]]; then
    rx 'dialplan reload' >/dev/null || die "'dialplan reload' failed"
    log "caller-ID pools rendered into $ROOT$CALLERIDS_CONF_REL; dialplan reloaded"
  fi
}

if [[ "${1:-}" == callerids && $# -eq 1 ]] && ! external_mode; then
  managed_callerids
  exit 0
fi

ADDRESS_COMMAND=url
MANAGED_ADDRESS_TEXT="$MANAGED_URL"
dispatch_component "$@"
