#!/usr/bin/env bash
# All tests: format and lint, type check, build, engine unit tests (node:test), then the extension in a
# real VS Code (mocha integration suite + Playwright UI tests) when the e2e tools are installed.
# Ends with one line "N passed, N failed".
set -uo pipefail
cd "$(dirname "$0")/.."
bash scripts/ensure-deps.sh || echo "!!! could not install every dependency; the tests that need it will fail"
mkdir -p test-results
passed=0
failed=0
step() { # name, command...
  local name=$1; shift
  echo "=== $name"
  if "$@"; then passed=$((passed + 1)); else echo "!!! $name failed"; failed=$((failed + 1)); fi
}
count_tap() { # file: adds its pass/fail counts
  local p f
  p=$(grep -E '^# pass ' "$1" | tail -1 | awk '{print $3}')
  f=$(grep -E '^# fail ' "$1" | tail -1 | awk '{print $3}')
  passed=$((passed + ${p:-0}))
  failed=$((failed + ${f:-0}))
  [ -n "$p" ] || failed=$((failed + 1))
}

# npm exports NODE, npm_node_execpath, npm_config_* to this script: the nested installs must not use them
step "a nested npm install runs on Node 24" bash scripts/setup-e2e.sh --check-node
step "biome (format + lint)" npx biome ci src test bench scripts
step "typescript" npx tsc -p . --noEmit
step "build" node scripts/build.mjs
echo "=== engine unit tests"
node --import tsx --test --test-reporter=spec --test-reporter-destination=stdout \
  --test-reporter=tap --test-reporter-destination=test-results/unit.tap test/unit/*.test.ts
count_tap test-results/unit.tap

if [ -x .tools/node24/node_modules/node/bin/node ] && [ -x /usr/bin/chromium ]; then
  echo "=== extension in a real VS Code (code-server)"
  bash scripts/e2e.sh
  if [ -f test-results/e2e-counts ]; then
    read -r p f < test-results/e2e-counts
    passed=$((passed + p))
    failed=$((failed + f))
  else
    failed=$((failed + 1))
  fi
else
  echo "!!! the VS Code test tools are missing (bash scripts/setup-e2e.sh): extension tests not run"
  failed=$((failed + 1))
fi
echo "$passed passed, $failed failed"
[ "$failed" -eq 0 ]
