#!/usr/bin/env bash
# Install a Debian package unless its program is already there.
# Usage: scripts/apt-install.sh PACKAGE PROGRAM   (e.g. chromium /usr/bin/chromium)
set -euo pipefail
package="$1"
program="$2"
if [ -x "$program" ]; then
  exit 0
fi
if [ "$(id -u)" = "0" ]; then
  apt_get="apt-get"
elif command -v sudo >/dev/null 2>&1; then
  apt_get="sudo apt-get"
else
  echo "$package is missing and this user cannot install it: run 'apt-get install $package' as root." >&2
  exit 1
fi
export DEBIAN_FRONTEND=noninteractive
$apt_get update -qq
$apt_get install -y -qq "$package" >/dev/null
test -x "$program"
