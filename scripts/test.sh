#!/usr/bin/env bash
# Install what the tests need (pinned packages, Debian's Chromium) and run the whole suite.
# TEST_DATABASE_URL=postgresql+psycopg://... runs it against PostgreSQL instead of SQLite.
set -euo pipefail
cd "$(dirname "$0")/.."
scripts/bootstrap.sh requirements-dev.txt
scripts/browser.sh
scripts/apt-install.sh zbar-tools /usr/bin/zbarimg   # reads the QR code on certificates
scripts/apt-install.sh nginx-light /usr/sbin/nginx   # nginx -t checks deploy/nginx/accelerator.conf
scripts/apt-install.sh tesseract-ocr /usr/bin/tesseract   # OCR of scanned certificates (with its English data)
scripts/apt-install.sh poppler-utils /usr/bin/pdftoppm    # renders a scanned page for the OCR
set +e
.venv/bin/python -m pytest "$@"
status=$?
set -e
if [ "$status" = "5" ]; then
  echo "pytest collected no tests: that is a failure here." >&2
  exit 1
fi
exit "$status"
