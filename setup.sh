#!/usr/bin/env bash
# Set up whatever is missing, and nothing else (quick when everything is present). Run by `make serve`, `make test`
# and `make setup`:
#   ./setup.sh serve   Debian packages: Python 3.11+ with venv, Java (for the HermiT reasoner), Node.js and npm;
#                      .venv with alignkb (editable) and its dev tools; the npm packages from package-lock.json;
#                      a build of the knowledge base into dist/ when there is none or the sources changed since
#   ./setup.sh test    the same, plus Chromium and the DejaVu fonts (the browser tests) and Virtuoso's server
#                      (the remote-store tests)
#   ./setup.sh [all]   the same as test
# System packages are installed with apt-get as root or through sudo; without either, nothing is installed and the
# script names the packages to install and how, and exits 1.
set -euo pipefail
cd "$(dirname "$0")"

mode="${1:-all}"
case "$mode" in
  serve | test | all) ;;
  *) echo "usage: ./setup.sh [serve|test|all]" >&2; exit 2 ;;
esac
PYTHON="${PYTHON:-python3}"

say() { echo "· $*"; }
fail() { echo "error: $*" >&2; exit 1; }
digest() { sha256sum "$@" | sha256sum | cut -d' ' -f1; }

# 1. System packages: command → Debian package (and why).
packages=()
reasons=()
need() { packages+=("$1"); reasons+=("$(printf '  %-22s %s' "$1" "$2")"); }
if ! command -v "$PYTHON" >/dev/null 2>&1; then
  need python3 "Python 3.11 or newer"
elif [ ! -x .venv/bin/python ] && ! "$PYTHON" -c "import venv, ensurepip" >/dev/null 2>&1; then
  need python3-venv "to create .venv"
fi
command -v java >/dev/null 2>&1 || need default-jre-headless "Java, for the HermiT consistency check"
command -v node >/dev/null 2>&1 || need nodejs "Node.js, for the front-end packages"
command -v npm >/dev/null 2>&1 || need npm "to install the front-end packages"
if [ "$mode" != serve ]; then
  [ -x /usr/bin/chromium ] || need chromium "the browser tests"
  fc-list 2>/dev/null | grep -qi dejavu || need fonts-dejavu-core "fonts for the browser tests"
  command -v virtuoso-t >/dev/null 2>&1 || need virtuoso-opensource-7-bin "Virtuoso, a remote store the tests run the analyses on"
fi

if [ ${#packages[@]} -gt 0 ]; then
  install="apt-get install -y --no-install-recommends ${packages[*]}"
  explain() {
    echo "error: alignkb needs these system packages, and installing them needs root:" >&2
    printf '%s\n' "${reasons[@]}" >&2
    if command -v apt-get >/dev/null 2>&1; then
      echo "  install them as root:  apt-get update && $install" >&2
    else
      echo "  install them with your system's package manager (these are Debian's names)" >&2
    fi
    echo "  then run the same make command again." >&2
    exit 1
  }
  SUDO=""
  if [ "$(id -u)" -ne 0 ]; then
    if command -v sudo >/dev/null 2>&1 && { sudo -n true 2>/dev/null || [ -t 0 ]; }; then
      SUDO="sudo"
    else
      explain
    fi
  fi
  command -v apt-get >/dev/null 2>&1 || explain
  say "installing Debian packages: ${packages[*]}"
  if ! { $SUDO apt-get update -qq && $SUDO env DEBIAN_FRONTEND=noninteractive $install -qq; }; then
    explain
  fi
fi

"$PYTHON" -c "import sys; sys.exit(sys.version_info < (3, 11))" 2>/dev/null ||
  fail "alignkb needs Python 3.11 or newer; $PYTHON is $("$PYTHON" --version 2>&1). Set PYTHON=/path/to/python3.11"

# 2. .venv with alignkb and its dev tools, reinstalled when pyproject.toml or setup.py change.
stamp=.venv/.alignkb-installed
want="$(digest pyproject.toml setup.py)"
if [ ! -x .venv/bin/alignkb ] || [ "$(cat "$stamp" 2>/dev/null)" != "$want" ]; then
  [ -x .venv/bin/python ] || { say "creating .venv"; "$PYTHON" -m venv .venv; }
  say "installing alignkb (editable) and its development tools into .venv"
  if ! { .venv/bin/python -m pip install -q --upgrade pip && .venv/bin/python -m pip install -q -e ".[dev]"; }; then
    fail "could not install the Python packages into .venv (pip's messages are above; is PyPI reachable?)"
  fi
  echo "$want" >"$stamp"
fi

# 3. The front-end packages, reinstalled when package-lock.json changes.
lock=node_modules/.alignkb-lock
want="$(digest package-lock.json)"
if [ "$(cat "$lock" 2>/dev/null)" != "$want" ]; then
  say "installing the front-end packages from package-lock.json"
  npm ci --no-audit --no-fund --loglevel=error || fail "npm ci failed (its messages are above; is the npm registry reachable?)"
  echo "$want" >"$lock"
fi

# 4. A build of the knowledge base, when there is none or the ontology or sources changed since. The tests build
#    their own, so for them a failed build is reported and set-up goes on.
if [ ! -f dist/report.json ] || [ -n "$(find ontology sources -newer dist/report.json -print -quit)" ]; then
  say "building the knowledge base"
  if ! .venv/bin/alignkb build -q; then
    [ "$mode" = serve ] && fail "the build failed (its problems are above): fix them, then run make serve again"
    echo "warning: the build failed (its problems are above); the tests will say more" >&2
  fi
fi
say "ready"
