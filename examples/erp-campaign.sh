#!/usr/bin/env bash
# What an ERP does through the API, with curl and jq: a template, a campaign, a list uploaded and
# imported (refused lines printed), start, progress until every contact finished, the attempts
# read back, the CSV export. API (default http://127.0.0.1:4000) and KEY (an erp or admin key).
set -euo pipefail
API="${API:-http://127.0.0.1:4000}"; LIST="${1:-$(dirname "$0")/accounting-demo.csv}"; ID="erp-$(date +%s)"
gql() { # gql QUERY [VARIABLES-JSON] -> the data, or the errors on stderr and exit 1
  curl -sf "$API/graphql" -H "authorization: Bearer $KEY" -H 'content-type: application/json' \
    -d "$(jq -n --arg q "$1" --argjson v "${2:-null}" '{query: $q, variables: ($v // {})}')" \
    | jq -ce 'if .errors then (.errors | tostring | halt_error(1)) else .data end'
}
TPL=$(gql 'mutation($b: String!, $n: String!) { createTemplate(input: {name: $n, body: $b}) { id } }' \
  "$(jq -n --arg n "$ID" --arg b 'Здравствуйте, {{NAME}}! Ваша задолженность {{BALANCE|money}}.' '{n: $n, b: $b}')" | jq .createTemplate.id)
gql "mutation { createCampaign(input: {id: \"$ID\", name: \"ERP example\", callerId: \"+74950000000\", templateId: $TPL,
  windowStart: \"00:00\", windowEnd: \"24:00\", maxAttemptsPerNumber: 2, retryIntervalSeconds: 5}) { id state } }"
UP=$(curl -sf "$API/uploads" -H "authorization: Bearer $KEY" -F "file=@$LIST" | jq -r .uploadId)
JOB=$(gql "mutation { importList(campaignId: \"$ID\", uploadId: \"$UP\") { id } }" | jq .importList.id)
until gql "{ listImport(id: $JOB) { state } }" | jq -e '.listImport.state != "running"' >/dev/null; do sleep 0.5; done
gql "{ listImport(id: $JOB) { imported refused issues(severity: error) { line field reason } } }"
gql "mutation { startCampaign(id: \"$ID\") { state } }"
until gql "{ campaign(id: \"$ID\") { state } }" | jq -e '.campaign.state != "running"' >/dev/null; do
  gql "{ campaign(id: \"$ID\") { counters { contacts finished calls } } }" | jq -c .campaign.counters; sleep 3; done
gql "{ attempts(filter: {campaignId: \"$ID\"}, first: 5) { items { externalId number outcome } endCursor hasNextPage } }"
curl -sf "$API/exports/attempts.csv?campaignId=$ID" -H "authorization: Bearer $KEY" -o "$ID.csv" && wc -l "$ID.csv"
