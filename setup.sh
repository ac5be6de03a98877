#!/usr/bin/env bash
# One command to set everything up on a fresh Debian machine (run as root or with sudo available):
#   Debian packages (Java for HermiT, Chromium for browser tests, Node.js/npm for front-end packages),
#   a Python virtual environment in .venv with alignkb and its dev tools, and the npm packages from the lock file.
set -euo pipefail
cd "$(dirname "$0")"

SUDO=""
if [ "$(id -u)" -ne 0 ]; then SUDO="sudo"; fi

need_apt=()
command -v java >/dev/null 2>&1 || need_apt+=(default-jre-headless)
command -v chromium >/dev/null 2>&1 || need_apt+=(chromium)
fc-list 2>/dev/null | grep -qi dejavu || need_apt+=(fonts-dejavu-core)
command -v node >/dev/null 2>&1 || need_apt+=(nodejs)
command -v npm >/dev/null 2>&1 || need_apt+=(npm)
python3 -c "import venv, ensurepip" >/dev/null 2>&1 || need_apt+=(python3-venv)
if [ ${#need_apt[@]} -gt 0 ]; then
  echo "· installing Debian packages: ${need_apt[*]}"
  $SUDO apt-get update -qq
  DEBIAN_FRONTEND=noninteractive $SUDO apt-get install -y -qq --no-install-recommends "${need_apt[@]}"
fi

PYTHON="${PYTHON:-python3}"
if [ ! -x .venv/bin/python ]; then
  echo "· creating .venv"
  "$PYTHON" -m venv .venv
fi
echo "· installing alignkb and its development tools into .venv"
.venv/bin/python -m pip install -q --upgrade pip
.venv/bin/python -m pip install -q -e ".[dev]"

if [ -f package-lock.json ]; then
  echo "· installing front-end packages from package-lock.json"
  npm ci --no-audit --no-fund --loglevel=error
fi

echo "· building the knowledge base"
.venv/bin/alignkb build -q
echo "ready: run the tests with  .venv/bin/python -m pytest"
