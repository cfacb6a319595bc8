#!/usr/bin/env bash
# Create the project's virtualenv (.venv) and install pinned requirements into it.
# Usage: scripts/bootstrap.sh [requirements file]   (default: requirements.txt)
set -euo pipefail
cd "$(dirname "$0")/.."
req="${1:-requirements.txt}"
python=${PYTHON:-python3}
if ! "$python" -c 'import sys; sys.exit(sys.version_info < (3, 11))' 2>/dev/null; then
  echo "Python 3.11 or newer is needed (found: $($python --version 2>&1))." >&2
  exit 1
fi
if [ ! -x .venv/bin/python ]; then
  "$python" -m venv .venv
fi
stamp=".venv/.installed-$(basename "$req")"
dev_stamp=".venv/.installed-requirements-dev.txt"  # the test requirements include the runtime ones
if [ "$req" = "requirements.txt" ] && [ -f "$dev_stamp" ] && [ ! requirements-dev.txt -nt "$dev_stamp" ] \
   && [ ! requirements.txt -nt "$dev_stamp" ]; then
  exit 0
fi
if [ ! -f "$stamp" ] || [ "$req" -nt "$stamp" ] || [ requirements.txt -nt "$stamp" ]; then
  .venv/bin/python -m pip install --quiet --upgrade pip
  .venv/bin/python -m pip install --quiet -r "$req"
  touch "$stamp"
fi
