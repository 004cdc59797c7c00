#!/usr/bin/env bash
# npm run start: a real VS Code (code-server) with Pretrain Lab installed, on a copy of the sample
# workspace (English and Chinese text). Open the printed address in a browser; Ctrl-C stops it.
set -euo pipefail
cd "$(dirname "$0")/.."
root=$PWD
bash scripts/ensure-deps.sh
node scripts/build.mjs >/dev/null
state=${PRETRAIN_LAB_DEMO:-/tmp/pretrain-lab-demo}
port=${PORT:-18390}
mkdir -p "$state"/{ud/User,ext}
[ -f "$state/ud/User/settings.json" ] || cp test/e2e/user-settings.json "$state/ud/User/settings.json"
[ -d "$state/ws" ] || cp -r sample "$state/ws"
ln -sfn "$root" "$state/ext/pretrain-lab.pretrain-lab-0.1.0"
export PATH=$root/.tools/node24/node_modules/node/bin:$PATH
export XDG_CONFIG_HOME=$state/xdg/config XDG_DATA_HOME=$state/xdg/data XDG_CACHE_HOME=$state/xdg/cache
echo "Pretrain Lab in VS Code: open http://127.0.0.1:$port/?folder=$state/ws  (Ctrl-C to stop)"
exec "$root/.tools/cs/node_modules/.bin/code-server" --auth none --bind-addr 127.0.0.1:$port --disable-telemetry \
  --disable-update-check --disable-workspace-trust --extensions-dir "$state/ext" --user-data-dir "$state/ud" "$state/ws"
