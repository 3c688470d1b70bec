#!/usr/bin/env bash
# Regenerates dashboard.schema.json from Grafana's own TypeScript types (npm @grafana/schema, pinned).
# The result is committed; DashboardsTest validates every dashboard against it.
set -euo pipefail
here="$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)"
work="$(mktemp -d)"
trap 'rm -rf "$work"' EXIT
cd "$work"
npm init -y >/dev/null
npm install --silent @grafana/schema@13.2.3 ts-json-schema-generator@2.4.0 typescript@7.0.2
npx ts-json-schema-generator \
  --path node_modules/@grafana/schema/dist/types/raw/dashboard/x/types.gen.d.ts \
  --type Dashboard --no-type-check -o "$here/dashboard.schema.json"
echo "wrote $here/dashboard.schema.json"
