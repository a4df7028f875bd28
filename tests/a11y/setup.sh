#!/usr/bin/env bash
# What tests/test_a11y.py needs, on a fresh Debian machine: Chromium, Node with npm (only to
# install axe-core), and the pinned axe-core of package-lock.json. Safe to run again.
set -euo pipefail
cd "$(dirname "$0")"
missing=()
command -v chromium >/dev/null 2>&1 || missing+=(chromium)
command -v npm >/dev/null 2>&1 || missing+=(npm)
if ((${#missing[@]})); then
  sudo=""
  [ "$(id -u)" -eq 0 ] || sudo="sudo"
  $sudo apt-get update -qq
  DEBIAN_FRONTEND=noninteractive $sudo apt-get install -y -qq --no-install-recommends "${missing[@]}"
fi
want=$(sed -n 's/.*"axe-core": "\(.*\)".*/\1/p' package.json)
have=$(sed -n 's/^  "version": "\(.*\)".*/\1/p' node_modules/axe-core/package.json 2>/dev/null || true)
if [ "$want" != "$have" ] || [ ! -f node_modules/axe-core/axe.min.js ]; then
  npm ci --no-audit --no-fund --loglevel=error
fi
