#!/usr/bin/env bash
# Rebuilds the bundled mini-study from scratch: the study trains its 18 zoo models (configs/fashion/mini-*.yaml)
# into studies/fashion-mini-models/ (not shipped), evaluates every cell and the transfer cells into
# studies/fashion-mini.db, then exports the leaderboard CSV, drops the per-sample records from the store and retakes
# the dashboard screenshots in docs/.
# Run from the repository root after `npm run build`.
set -euo pipefail
rm -f studies/fashion-mini.db studies/fashion-mini.db-wal studies/fashion-mini.db-shm
node dist/cli/main.js study run studies/fashion-mini.yaml --store studies/fashion-mini.db
node dist/cli/main.js study export studies/fashion-mini.yaml --store studies/fashion-mini.db --format csv --out studies/fashion-mini.csv
# The shipped store keeps every run, summary and metric (all the dashboard and the leaderboard read) but not the
# ~160k per-sample records (23 MB of the 24): `robustart results export` of a run needs a rebuilt store.
node -e "const db = new (require('better-sqlite3'))('studies/fashion-mini.db'); db.exec('DELETE FROM records'); db.exec('VACUUM'); db.pragma('journal_mode = DELETE'); db.close();"
node dist/report/dashboard/screenshots.js --store studies/fashion-mini.db --out docs
