# shellcheck shell=bash
# ensure_node_deps: installs the npm dependencies when node_modules is missing or older than
# the lock file. Sourced by demo.sh, test.sh and bench.sh.
ensure_node_deps() {
  local stamp=node_modules/.package-lock.json
  if [[ ! -f "$stamp" || package-lock.json -nt "$stamp" || package.json -nt "$stamp" ]]; then
    log "installing npm dependencies (npm ci)"
    npm ci --no-audit --no-fund >&2
  fi
}
