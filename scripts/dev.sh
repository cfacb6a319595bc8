#!/usr/bin/env bash
# Install everything, make the SQLite schema, load demo data and serve the site on http://127.0.0.1:5000.
set -euo pipefail
cd "$(dirname "$0")/.."
scripts/bootstrap.sh requirements.txt
scripts/apt-install.sh tesseract-ocr /usr/bin/tesseract   # OCR of scanned certificates (with its English data)
scripts/apt-install.sh poppler-utils /usr/bin/pdftoppm    # renders a scanned page for the OCR
export FLASK_APP=wsgi
host=${HOST:-127.0.0.1}
port=${PORT:-5000}
# The links the demo prints (and the emails the site writes) point at the address served below.
export SITE_URL=${SITE_URL:-http://$host:$port}
.venv/bin/flask --app wsgi db upgrade
# demo adds nothing when its data is there already, and refuses a database holding other data.
.venv/bin/flask --app wsgi demo || echo "(demo data not loaded; serving the database as it is)"
echo "Serving on http://$host:$port (Ctrl+C stops it)"
exec .venv/bin/gunicorn --bind "$host:$port" --workers 2 --threads 4 --access-logfile - wsgi:app
