#!/usr/bin/env bash
# Trains the starter BERT that ships in models/starter, with the project's own CLI on the sample
# workspace, and copies it without its optimizer state (the extension only predicts with it).
# Usage: bash scripts/make-starter.sh [steps]     (about 0.4 s a step on the wasm backend)
#        STARTER_RESUME=1 bash scripts/make-starter.sh 7500   continues the last run up to 7500 steps
set -euo pipefail
cd "$(dirname "$0")/.."
steps=${1:-2500}
work=${STARTER_WORK:-/tmp/pretrain-lab-starter}
if [ "${SKIP_TRAIN:-}" != 1 ]; then
  node scripts/build.mjs >/dev/null
  fresh=--fresh
  [ "${STARTER_RESUME:-}" = 1 ] && fresh=
  node bin/pretrain-lab.js pretrain bert --corpus sample/english sample/chinese --out "$work" $fresh \
    --preset tiny --steps "$steps" --vocab-size 8000 --max-seq-length 64 --batch-size 16 --lr 1e-3 \
    --warmup 200 --log-every 50 --checkpoint-every 500 --seed 1
fi
rm -rf models/starter && mkdir -p models/starter/checkpoint
cp "$work"/config.json "$work"/vocab.txt "$work"/metrics.jsonl models/starter/
cp "$work"/checkpoint/weights.json "$work"/checkpoint/weights.bin "$work"/checkpoint/trainer_state.json models/starter/checkpoint/
du -sh models/starter
