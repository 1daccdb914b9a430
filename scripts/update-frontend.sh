#!/usr/bin/env bash
# Copy GOV.UK Frontend's built assets (and axe-core for the browser tests) from npm into the package.
# The copies are committed, so installing carewise never needs npm; run this only to upgrade.
set -euo pipefail
cd "$(dirname "$0")/../web-assets"
npm ci --silent
dest=../src/carewise/web/static/govuk
rm -rf "$dest"; mkdir -p "$dest"
cp node_modules/govuk-frontend/dist/govuk/govuk-frontend.min.css node_modules/govuk-frontend/dist/govuk/govuk-frontend.min.js "$dest/"
cp -r node_modules/govuk-frontend/dist/govuk/assets "$dest/assets"
mkdir -p ../tests/browser/vendor
cp node_modules/axe-core/axe.min.js ../tests/browser/vendor/axe.min.js
echo "GOV.UK Frontend $(node -p "require('./node_modules/govuk-frontend/package.json').version") copied to $dest"
