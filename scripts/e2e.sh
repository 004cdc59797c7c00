#!/usr/bin/env bash
# Runs the extension in a real VS Code (code-server 4.139.1 from npm, on Node 24 from npm) in headless
# Debian chromium: first the mocha integration suite inside the extension host, then the Playwright UI
# tests. Writes "passed failed" to test-results/e2e-counts and screenshots to test-results/screenshots.
# Needs: npm run build, bash scripts/setup-e2e.sh.
set -uo pipefail
cd "$(dirname "$0")/.."
root=$PWD
tools=$root/.tools
state=${E2E_STATE:-/tmp/pretrain-lab-e2e}
export PATH=$tools/node24/node_modules/node/bin:$PATH
port=${E2E_PORT:-18391}
cs_pid=
stop_cs() { [ -n "$cs_pid" ] && kill -- -"$cs_pid" 2>/dev/null; cs_pid=; sleep 1; }
trap stop_cs EXIT
# A fresh VS Code profile, workspace copy and extension link for each suite, on code-server.
start_cs() {
  stop_cs
  if curl -sf "http://127.0.0.1:$port/healthz" >/dev/null; then
    echo "!!! port $port is taken by another server (another e2e run?); stop it or set E2E_PORT"
    exit 1
  fi
  rm -rf "$state" && mkdir -p "$state"/{ud/User,ext,ws,xdg/config,xdg/data,xdg/cache}
  export XDG_CONFIG_HOME=$state/xdg/config XDG_DATA_HOME=$state/xdg/data XDG_CACHE_HOME=$state/xdg/cache
  cp test/e2e/user-settings.json "$state/ud/User/settings.json"
  cp -r sample/. "$state/ws/"
  # the extension as a user has it installed: a link in the extensions folder
  ln -s "$root" "$state/ext/pretrain-lab.pretrain-lab-0.1.0"
  setsid "$tools/cs/node_modules/.bin/code-server" --auth none --bind-addr 127.0.0.1:$port --disable-telemetry \
    --disable-update-check --disable-workspace-trust --extensions-dir "$state/ext" --user-data-dir "$state/ud" \
    "$state/ws" >"$root/test-results/code-server-$1.log" 2>&1 &
  cs_pid=$!
  for _ in $(seq 1 120); do curl -sf "http://127.0.0.1:$port/healthz" >/dev/null && break; sleep 0.5; done
}
mkdir -p test-results/screenshots
export PRETRAIN_LAB_TEST_RESULT=$root/test-results/integration.json
rm -f "$PRETRAIN_LAB_TEST_RESULT" test-results/ui.json
export CS_BASE=http://127.0.0.1:$port WS=$state/ws EXT_DEV=$root NODE_PATH=$tools/pw/node_modules
passed=0
failed=0
add_counts() { # json file with passes/failures
  if [ -f "$1" ]; then
    local p
    p=$(node -e "const r=require('$1');console.log(r.passes, r.failures)")
    passed=$((passed + ${p% *}))
    failed=$((failed + ${p#* }))
  else
    echo "!!! $1 was not written"
    failed=$((failed + 1))
  fi
}
only=${E2E_ONLY:-all} # all, webviews, integration or ui (to run one part while developing)
if [ "$only" = all ] || [ "$only" = webviews ]; then
  echo "--- webview panels alone in chromium"
  rm -f test-results/webviews.json
  node test/e2e/webviews.js
  add_counts "$root/test-results/webviews.json"
fi
if [ "$only" = all ] || [ "$only" = integration ]; then
  echo "--- integration suite (mocha in the extension host)"
  start_cs integration
  node test/e2e/runExtensionTests.js
  add_counts "$PRETRAIN_LAB_TEST_RESULT"
fi
if [ "$only" = all ] || [ "$only" = ui ]; then
  echo "--- UI tests (Playwright)"
  start_cs ui
  node test/e2e/ui.js
  uirc=$?
  add_counts "$root/test-results/ui.json"
  [ $uirc -eq 0 ] || echo "!!! UI tests exited $uirc"
fi
echo "$passed $failed" > test-results/e2e-counts
echo "e2e: $passed passed, $failed failed"
