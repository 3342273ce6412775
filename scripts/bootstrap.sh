#!/usr/bin/env bash
# Installs what Tandem needs, idempotently and quickly on a second run:
#   .venv/ with requirements.txt (re-installed only when the file changes),
#   bun from the npm registry into .tools/ (Reflex's JS package manager),
#   Debian's pango and DejaVu fonts for WeasyPrint (proposal PDFs), when libpango is missing,
#   with --test: Debian's chromium for the browser tests, when /usr/bin/chromium is missing.
set -euo pipefail
cd "$(dirname "$0")/.."

PYTHON="${PYTHON:-python3.11}"
command -v "$PYTHON" >/dev/null 2>&1 || PYTHON=python3
BUN_VERSION="1.4.5"

if [ ! -x .venv/bin/python ]; then
  echo "bootstrap: creating .venv with $($PYTHON --version)"
  "$PYTHON" -m venv .venv
fi

stamp=".venv/.requirements.sha256"
want="$(sha256sum requirements.txt | cut -d' ' -f1)"
if [ ! -f "$stamp" ] || [ "$(cat "$stamp")" != "$want" ]; then
  echo "bootstrap: installing requirements.txt"
  .venv/bin/python -m pip install --quiet --disable-pip-version-check -r requirements.txt
  echo "$want" > "$stamp"
fi

if [ ! -x .tools/node_modules/.bin/bun ]; then
  echo "bootstrap: installing bun $BUN_VERSION from the npm registry"
  mkdir -p .tools
  npm install --silent --no-audit --no-fund --prefix .tools "bun@$BUN_VERSION"
fi

SUDO=""
[ "$(id -u)" -eq 0 ] || SUDO="sudo"
apt_updated=""
apt_install() {
  [ -n "$apt_updated" ] || { $SUDO apt-get update -qq; apt_updated=1; }
  DEBIAN_FRONTEND=noninteractive $SUDO apt-get install -y -qq "$@" >/dev/null
}

# WeasyPrint loads pango with ctypes at run time (make run and make test alike).
# Not `grep -q`: under pipefail its early exit can fail ldconfig with SIGPIPE.
LDCONFIG="$(command -v ldconfig || echo /sbin/ldconfig)"
if ! "$LDCONFIG" -p | grep libpango-1.0 >/dev/null; then
  echo "bootstrap: installing Debian's pango and fonts for the proposal PDFs"
  apt_install libpango-1.0-0 libpangoft2-1.0-0 fonts-dejavu-core
fi

if [ "${1:-}" = "--test" ] && [ ! -x /usr/bin/chromium ]; then
  echo "bootstrap: installing Debian's chromium for the browser tests"
  apt_install chromium
fi
