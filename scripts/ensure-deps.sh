#!/usr/bin/env bash
# Installs what `npm start` and `npm test` need when it is missing: npm packages, Debian's chromium,
# libkrb5-dev and a CJK font (needs root or sudo), and the VS Code test tools in .tools/.
set -euo pipefail
cd "$(dirname "$0")/.."
export npm_config_fund=false npm_config_audit=false
[ -d node_modules/@tensorflow/tfjs-core ] || npm ci
# fonts-wqy-microhei: without a CJK font, Chinese shows as empty boxes in chromium's screenshots
if [ ! -x /usr/bin/chromium ] || ! dpkg -s libkrb5-dev fonts-wqy-microhei >/dev/null 2>&1; then
  sudo=""
  [ "$(id -u)" -eq 0 ] || sudo="sudo"
  $sudo apt-get update -q >/dev/null
  DEBIAN_FRONTEND=noninteractive $sudo apt-get install -y -q -o DPkg::Lock::Timeout=300 chromium libkrb5-dev fonts-wqy-microhei >/dev/null
fi
bash scripts/setup-e2e.sh
