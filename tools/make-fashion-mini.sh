#!/usr/bin/env bash
# Rebuilds the bundled mini-study: trains its small models, runs the study into studies/fashion-mini.db, and
# retakes the dashboard screenshots in docs/. Run from the repository root after `npm run build`.
set -euo pipefail
for arch in cnn resnet vit mixer; do
  out=studies/models/$arch.onnx
  builder=$arch
  [ "$arch" = cnn ] && out=studies/models/cnn-short.onnx && builder=small-cnn
  [ -f "$out" ] || node dist/cli/main.js train --config configs/fashion/fashion-cnn.yaml \
    --set "model={builder: $builder, options: {}}" --set epochs=1 --set data.train_limit=3000 --out "$out"
done
node dist/cli/main.js study run studies/fashion-mini.yaml --store studies/fashion-mini.db
node dist/cli/main.js study export studies/fashion-mini.yaml --store studies/fashion-mini.db --format csv --out studies/fashion-mini.csv
node dist/report/dashboard/screenshots.js --store studies/fashion-mini.db --out docs
