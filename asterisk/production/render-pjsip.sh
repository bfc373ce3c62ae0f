#!/usr/bin/env bash
# Renders pjsip.conf (this folder's template) to stdout from NAME=VALUE arguments:
#   bash render-pjsip.sh SIP_BIND_ADDR=10.0.0.5 SIP_BIND_PORT=5060 CARRIER_HOST=sip.example.net \
#     CARRIER_PORT=5060 CARRIER_USERNAME=acc CARRIER_PASSWORD=secret CARRIER_QUALIFY_SECONDS=30 \
#     OPERATOR_101_PASSWORD=... OPERATOR_102_PASSWORD=... > /etc/asterisk/pjsip.conf
# Only the names below are replaced (so nothing else that looks like ${...} is touched), each
# must be given and non-empty, and the result must hold no ${...} of them. The sandbox's test
# carrier (scripts/sipp.sh) is rendered with the same script.
set -euo pipefail

TEMPLATE="$(dirname "${BASH_SOURCE[0]}")/pjsip.conf"
NAMES=(SIP_BIND_ADDR SIP_BIND_PORT CARRIER_HOST CARRIER_PORT CARRIER_USERNAME CARRIER_PASSWORD
  CARRIER_QUALIFY_SECONDS OPERATOR_101_PASSWORD OPERATOR_102_PASSWORD)

fail() {
  echo "render-pjsip.sh: $*" >&2
  exit 2
}

declare -A value=()
for arg in "$@"; do
  [[ "$arg" == *=* ]] || fail "argument '$arg' is not NAME=VALUE"
  name="${arg%%=*}"
  [[ " ${NAMES[*]} " == *" $name "* ]] || fail "unknown name $name (known: ${NAMES[*]})"
  value[$name]="${arg#*=}"
done
for name in "${NAMES[@]}"; do
  [[ -n "${value[$name]:-}" ]] || fail "$name is missing or empty"
  # A value goes into an ini line: a newline or ';' (a comment) would change the config.
  [[ "${value[$name]}" != *$'\n'* && "${value[$name]}" != *';'* ]] || fail "$name holds a newline or ';'"
done
# The host goes into from_domain and identify's match, where host:port does not belong.
[[ "${value[CARRIER_HOST]}" != *:* || "${value[CARRIER_HOST]}" == *:*:* ]] \
  || fail "CARRIER_HOST '${value[CARRIER_HOST]}' holds a port: put the port in CARRIER_PORT"
for name in SIP_BIND_PORT CARRIER_PORT CARRIER_QUALIFY_SECONDS; do
  [[ "${value[$name]}" =~ ^[0-9]+$ ]] || fail "$name must be a number, not '${value[$name]}'"
done

out="$(cat "$TEMPLATE")"
for name in "${NAMES[@]}"; do
  out="${out//"\${$name}"/${value[$name]}}"
done
for name in "${NAMES[@]}"; do
  [[ "$out" != *"\${$name}"* ]] || fail "\${$name} is left in the output"
done
printf '%s\n' "$out"
