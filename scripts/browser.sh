#!/usr/bin/env bash
# Make sure Debian's Chromium is at /usr/bin/chromium for the browser tests (never a downloaded build).
set -euo pipefail
exec "$(dirname "$0")/apt-install.sh" chromium /usr/bin/chromium
