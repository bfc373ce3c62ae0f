# shellcheck shell=bash
# Debian's packages for this project's own use, without root and without touching the system:
# fetched with `apt-get download` and unpacked with `dpkg -x` into a folder of the cache. Source
# it after env.sh (it uses log, die and tail_log):
#   source "$(dirname "${BASH_SOURCE[0]}")/debian-unpack.sh"

# debian_unpack DEBS ROOT LOG PACKAGE... — the PACKAGEs, and every package they depend on
# (recursively) that dpkg does not list as installed here, downloaded into DEBS (its old .debs
# removed first) and unpacked into ROOT (made anew). apt's output is appended to LOG.
debian_unpack() {
  local debs="$1" root="$2" logfile="$3" p deb status
  shift 3
  local wanted=("$@") pkgs=()
  mkdir -p "$debs"
  log "resolving the dependencies of ${wanted[*]} with apt-cache"
  # libelogind0 is the alternative of libsystemd0 (which every Debian host has): never unpacked.
  while read -r p; do
    [[ -z "$p" || "$p" == libelogind0 ]] && continue
    # shellcheck disable=SC2016 # dpkg-query's format, not shell
    status="$(dpkg-query -W -f='${Status}' "$p" 2>/dev/null || true)"
    [[ "$status" == "install ok installed" ]] || pkgs+=("$p")
  done < <(apt-cache depends --recurse --no-recommends --no-suggests --no-conflicts --no-breaks \
    --no-replaces --no-enhances "${wanted[@]}" 2>>"$logfile" | grep -v '^ ' | grep -v '<' | sort -u)
  # The packages asked for are unpacked even when this host has them installed.
  for p in "${wanted[@]}"; do
    [[ " ${pkgs[*]} " == *" $p "* ]] || pkgs+=("$p")
  done
  log "apt-get download ${#pkgs[@]} packages (log: $logfile)"
  rm -f "$debs"/*.deb
  # Downloads go to the current folder; _apt may not write there, so apt warns and downloads as us.
  (cd "$debs" && apt-get download "${pkgs[@]}" >>"$logfile" 2>&1) || {
    log "apt-get download failed; running apt-get update and retrying"
    apt-get update -q >>"$logfile" 2>&1 || true
    (cd "$debs" && apt-get download "${pkgs[@]}" >>"$logfile" 2>&1) \
      || { tail_log "$logfile"; die "apt-get download ${pkgs[*]} failed; see $logfile"; }
  }
  rm -rf "$root"
  mkdir -p "$root"
  for deb in "$debs"/*.deb; do dpkg -x "$deb" "$root"; done
}
