#!/usr/bin/env bash
# Qingshan developer entry point.
#   ./dev.sh demo   set up (.venv, install, migrate), seed the demo city, serve http://127.0.0.1:8000
#   ./dev.sh test   run the whole test suite (DATABASE_URL selects the database; default SQLite)
#   ./dev.sh setup  only create .venv and install
set -euo pipefail
cd "$(dirname "$0")"

PYTHON=${PYTHON:-$(command -v python3.11 || command -v python3)}
VENV=${VENV:-.venv}
# System packages: WeasyPrint's text stack and a CJK font (PDF reports), gettext, Chromium (browser tests).
APT_PACKAGES="libpango-1.0-0 libpangoft2-1.0-0 libharfbuzz0b libharfbuzz-subset0 libcairo2 libfontconfig1 fonts-wqy-microhei gettext"

say() { printf '\033[1;32m==>\033[0m %s\n' "$*"; }

system_deps() {
  local missing=()
  for p in $APT_PACKAGES ${EXTRA_APT_PACKAGES:-}; do
    dpkg -s "$p" >/dev/null 2>&1 || missing+=("$p")
  done
  [ ${#missing[@]} -eq 0 ] && return 0
  if [ "$(id -u)" = 0 ] && command -v apt-get >/dev/null; then
    say "installing system packages: ${missing[*]}"
    apt-get update -qq && DEBIAN_FRONTEND=noninteractive apt-get install -y -qq "${missing[@]}" >/dev/null
  elif command -v sudo >/dev/null && command -v apt-get >/dev/null; then
    say "installing system packages with sudo: ${missing[*]}"
    sudo apt-get update -qq && sudo DEBIAN_FRONTEND=noninteractive apt-get install -y -qq "${missing[@]}" >/dev/null
  else
    echo "warning: missing system packages (PDF reports need them): ${missing[*]}" >&2
  fi
}

setup() {
  system_deps
  if [ ! -x "$VENV/bin/python" ]; then
    say "creating $VENV with $PYTHON"
    if ! "$PYTHON" -m venv "$VENV" 2>/dev/null; then
      rm -rf "$VENV"
      EXTRA_APT_PACKAGES="python3-venv" system_deps
      "$PYTHON" -m venv "$VENV"
    fi
  fi
  if [ ! -f "$VENV/.installed" ] || [ pyproject.toml -nt "$VENV/.installed" ]; then
    say "installing Qingshan and its test tools into $VENV"
    "$VENV/bin/python" -m pip install -q --upgrade pip
    "$VENV/bin/python" -m pip install -q -e '.[test]'
    touch "$VENV/.installed"
  fi
}

case "${1:-}" in
  setup) setup ;;
  demo)
    setup
    shift
    exec "$VENV/bin/qingshan" demo "$@"
    ;;
  test)
    setup
    shift
    exec "$VENV/bin/python" -m pytest -n "${QINGSHAN_TEST_WORKERS:-2}" -q "$@"
    ;;
  *)
    sed -n '2,6p' "$0"
    exit 2
    ;;
esac
