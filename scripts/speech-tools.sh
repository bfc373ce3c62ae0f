#!/usr/bin/env bash
# The offline voice and the audio converter: espeak-ng (with its Russian voice) and sox (WAV,
# MP3, OGG/Vorbis, FLAC), without root and without touching the system.
#
#   scripts/speech-tools.sh start    make both available (unpacked into the cache when this host
#                                    lacks them), check that they work, and print
#                                    ESPEAK_NG_BIN=<path> and SOX_BIN=<path> (ready for `export`)
#   scripts/speech-tools.sh print    the same two lines if they are ready, else exit 3
#   scripts/speech-tools.sh status   "ready ..." (exit 0) or "not installed" (exit 3)
#
# When espeak-ng (speaking `ru`) and a sox that reads and writes mp3 and vorbis are already on
# PATH, those are used. Otherwise Debian's packages and the libraries this host lacks are
# fetched with `apt-get download` and unpacked with `dpkg -x`; nothing is installed system-wide:
#   $DIALER_CACHE/speech-tools/debs/       the .debs
#   $DIALER_CACHE/speech-tools/root/       their contents
#   $DIALER_CACHE/speech-tools/installed   marker: the unpacked packages' versions
#   $DIALER_CACHE/bin/espeak-ng, .../sox   wrappers with the root's libraries, voice data and
#                                          sox format plugins
#   $DIALER_LOG_DIR/speech-tools.log       apt-get output and the last check's errors
set -euo pipefail

DIALER_LOG_TAG=speech-tools
# shellcheck source=scripts/env.sh
source "$(dirname "${BASH_SOURCE[0]}")/env.sh"
# shellcheck source=scripts/debian-unpack.sh
source "$(dirname "${BASH_SOURCE[0]}")/debian-unpack.sh"

TOOLS_HOME="$DIALER_CACHE/speech-tools"
TOOLS_ROOT="$TOOLS_HOME/root"
MARKER="$TOOLS_HOME/installed"
ESPEAK_WRAPPER="$DIALER_BIN_DIR/espeak-ng"
SOX_WRAPPER="$DIALER_BIN_DIR/sox"
INSTALL_LOG="$DIALER_LOG_DIR/speech-tools.log"
# sox's format plugins come in separate packages: base has wav, flac and ogg/vorbis; mp3 its own.
PACKAGES=(espeak-ng sox libsox-fmt-base libsox-fmt-mp3)

usage() {
  echo "usage: $0 start|print|status" >&2
  exit 2
}

# works ESPEAK SOX — both speak and convert: Russian speech to WAV, WAV to mp3, ogg and flac and
# each back to 8 kHz slin. Errors go to the install log.
works() {
  local espeak="$1" sox="$2" tmp ok=0
  tmp="$(mktemp -d)"
  (
    set -e
    "$espeak" -v ru -w "$tmp/a.wav" "Здравствуйте"
    [[ "$(stat -c %s "$tmp/a.wav")" -gt 4000 ]] || { echo "espeak-ng wrote a near-empty WAV"; exit 1; }
    for f in mp3 ogg flac; do
      "$sox" "$tmp/a.wav" "$tmp/a.$f"
      "$sox" "$tmp/a.$f" -t raw -r 8000 -c 1 -b 16 -e signed-integer "$tmp/$f.sln"
      [[ "$(stat -c %s "$tmp/$f.sln")" -gt 4000 ]] || { echo "sox made near-empty audio from $f"; exit 1; }
    done
  ) >>"$INSTALL_LOG" 2>&1 || ok=1
  rm -rf "$tmp"
  return "$ok"
}

# on_path — both tools already on this host's PATH (not our own wrappers) and working.
on_path() {
  local espeak sox
  espeak="$(command -v espeak-ng 2>/dev/null)" || return 1
  sox="$(command -v sox 2>/dev/null)" || return 1
  [[ "$espeak" != "$ESPEAK_WRAPPER" && "$sox" != "$SOX_WRAPPER" ]] || return 1
  works "$espeak" "$sox" || return 1
  ESPEAK_BIN="$espeak" SOX_BIN="$sox"
}

installed() {
  [[ -s "$MARKER" && -x "$ESPEAK_WRAPPER" && -x "$SOX_WRAPPER" && -x "$TOOLS_ROOT/usr/bin/espeak-ng" && -x "$TOOLS_ROOT/usr/bin/sox" ]]
}

install_tools() {
  local t0=$EPOCHREALTIME
  : >"$INSTALL_LOG"
  debian_unpack "$TOOLS_HOME/debs" "$TOOLS_ROOT" "$INSTALL_LOG" "${PACKAGES[@]}"
  write_wrappers
  local missing p deb
  missing="$(for p in "$TOOLS_ROOT/usr/bin/espeak-ng" "$TOOLS_ROOT/usr/bin/sox"; do
    LD_LIBRARY_PATH="$LIB_DIRS" ldd "$p" | grep 'not found' || true
  done)"
  [[ -z "$missing" ]] || die "espeak-ng or sox still lacks libraries after unpacking: $missing"
  works "$ESPEAK_WRAPPER" "$SOX_WRAPPER" \
    || { tail_log "$INSTALL_LOG"; die "the unpacked espeak-ng/sox do not speak Russian or convert mp3/ogg/flac; see $INSTALL_LOG"; }
  {
    echo "# Written by scripts/speech-tools.sh; delete it to reinstall."
    for deb in "$TOOLS_HOME"/debs/*.deb; do
      dpkg-deb -f "$deb" Package Version | paste -sd= | sed 's/^Package: //; s/=Version: /=/'
    done
  } >"$MARKER"
  log "installed $(grep -E '^(espeak-ng|sox)=' "$MARKER" | tr '\n' ' ')in $(since "$t0") s"
}

# write_wrappers — $DIALER_CACHE/bin/espeak-ng and sox, each with the root's libraries; espeak-ng
# with its voice data; sox with its format plugins (see plugin_dir_in_libsox).
write_wrappers() {
  local data plugins
  LIB_DIRS="$(find "$TOOLS_ROOT" \( -name '*.so' -o -name '*.so.[0-9]*' \) -printf '%h\n' | sort -u | paste -sd:)"
  # The folder holding the voice data (phontab); usr/share/doc has a folder of the same name.
  data="$(find "$TOOLS_ROOT" -path '*/espeak-ng-data/phontab' -printf '%h\n' -quit)"
  [[ -n "$data" ]] || die "no espeak-ng-data folder in $TOOLS_ROOT"
  plugins="$(find "$TOOLS_ROOT" -name 'libsox_fmt_mp3.so' -printf '%h\n' -quit)"
  [[ -n "$plugins" ]] || die "no sox mp3 format plugin (libsox_fmt_mp3.so) in $TOOLS_ROOT"
  plugin_dir_in_libsox
  cat >"$ESPEAK_WRAPPER" <<EOF
#!/bin/sh
# Written by scripts/speech-tools.sh: Debian's espeak-ng from $TOOLS_ROOT with its own libraries.
LD_LIBRARY_PATH="$LIB_DIRS\${LD_LIBRARY_PATH:+:\$LD_LIBRARY_PATH}" ESPEAK_DATA_PATH="$data" exec "$TOOLS_ROOT/usr/bin/espeak-ng" "\$@"
EOF
  cat >"$SOX_WRAPPER" <<EOF
#!/bin/bash
# Written by scripts/speech-tools.sh: Debian's sox from $TOOLS_ROOT with its own libraries.
# Its libsox looks for format plugins in $PLUGIN_FD_PATH (patched in by the script): the plugin folder.
exec $PLUGIN_FD<"$plugins" || exit 1
LD_LIBRARY_PATH="$LIB_DIRS\${LD_LIBRARY_PATH:+:\$LD_LIBRARY_PATH}" exec "$TOOLS_ROOT/usr/bin/sox" "\$@"
EOF
  chmod 0755 "$ESPEAK_WRAPPER" "$SOX_WRAPPER"
}

# plugin_dir_in_libsox — libsox loads its format plugins (mp3, ogg/vorbis, flac, …) only from
# the folder compiled in (lt_dlforeachfile(PKGLIBDIR): neither LTDL_LIBRARY_PATH nor
# LD_LIBRARY_PATH is searched), /usr/lib/<triplet>/sox, which only a system install fills. The
# unpacked copy of libsox gets that string replaced, same length, by /dev/fd/<n>: a descriptor
# the wrapper opens on the unpacked plugin folder, so the path holds wherever the cache is.
PLUGIN_FD=63
PLUGIN_FD_PATH="/dev/fd/$PLUGIN_FD"
plugin_dir_in_libsox() {
  local lib
  lib="$(find "$TOOLS_ROOT" -type f -name 'libsox.so.3*' -print -quit)"
  [[ -n "$lib" ]] || die "no libsox.so.3 in $TOOLS_ROOT"
  grep -qa "$PLUGIN_FD_PATH" "$lib" && return 0
  FD_PATH="$PLUGIN_FD_PATH" perl -0777 -pi -e \
    's{/usr/lib/[A-Za-z0-9_-]+/sox\0}{$ENV{FD_PATH} . ("\0" x (length($&) - length($ENV{FD_PATH})))}e' "$lib"
  grep -qa "$PLUGIN_FD_PATH" "$lib" || die "could not point $lib at its plugin folder (no /usr/lib/<triplet>/sox string in it)"
}

print_bins() {
  echo "ESPEAK_NG_BIN=$ESPEAK_BIN"
  echo "SOX_BIN=$SOX_BIN"
}

start() {
  mkdir -p "$DIALER_RUN_DIR"
  (
    flock -w 600 7 || die "timed out waiting for another speech-tools install (lock $DIALER_RUN_DIR/speech-tools.lock)"
    if on_path; then
      print_bins
      exit 0
    fi
    if ! installed; then install_tools; fi
    ESPEAK_BIN="$ESPEAK_WRAPPER" SOX_BIN="$SOX_WRAPPER"
    print_bins
  ) 7>"$DIALER_RUN_DIR/speech-tools.lock"
}

print_only() {
  local espeak sox
  if espeak="$(command -v espeak-ng 2>/dev/null)" && sox="$(command -v sox 2>/dev/null)" \
    && [[ "$espeak" != "$ESPEAK_WRAPPER" && "$sox" != "$SOX_WRAPPER" ]]; then
    ESPEAK_BIN="$espeak" SOX_BIN="$sox"
  elif installed; then
    ESPEAK_BIN="$ESPEAK_WRAPPER" SOX_BIN="$SOX_WRAPPER"
  else
    echo "speech-tools: not installed (run: bash $0 start)" >&2
    exit 3
  fi
  print_bins
}

[[ $# -eq 1 ]] || usage
case "$1" in
  start) start ;;
  print) print_only ;;
  status)
    if installed; then
      echo "speech-tools: ready ($(grep -E '^(espeak-ng|sox)=' "$MARKER" | tr '\n' ' ')in $TOOLS_ROOT)"
    elif on_path; then
      echo "speech-tools: ready (on PATH: $ESPEAK_BIN, $SOX_BIN)"
    else
      echo "speech-tools: not installed"
      exit 3
    fi
    ;;
  *) usage ;;
esac
