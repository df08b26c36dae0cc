#!/usr/bin/env bash
# Rebuilds the NAS demo (nas/demo/): trains the supernet of nas/spaces/fashion-tiny.yaml with the recipe
# nas/demo/supernet.yaml, samples, extracts, recalibrates and evaluates 200 subnets into the demo store
# (nas/demo/results.db; the subnet files go to the OS temp folder), then drops the store's per-sample records
# to keep it small: run summaries, metrics, the model registry and the study stay, and a rerun of
# `robustart nas sample --demo` finds every cell done. Needs Debian's dataset-fashion-mnist.
# Usage: tools/make-nas-demo.sh [subnets=200]
set -euo pipefail
cd "$(dirname "$0")/.."
n="${1:-200}"
rm -f nas/demo/results.db
node dist/cli/main.js nas train --demo --out nas/demo/supernet.onnx --fresh
node dist/cli/main.js nas sample --demo --n "$n"
node -e '
const Database = require("better-sqlite3");
const db = new Database(process.argv[1]);
db.pragma("journal_mode = DELETE");
db.exec("DELETE FROM records; VACUUM;");
db.close();
' nas/demo/results.db
ls -l nas/demo/results.db
rm -f nas/demo/supernet.onnx.ckpt
