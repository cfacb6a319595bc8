#!/usr/bin/env bash
# Run a benchmark (bench/README.md): the pinned requirements, Debian's wrk, then the benchmark.
# Usage: scripts/bench.sh policies [bench_policies.py options]
#        scripts/bench.sh coverage [bench_coverage.py options]
#        scripts/bench.sh mixed [bench_mixed.py options]
#        scripts/bench.sh claim-cases [bench_claim_cases.py options]
#        scripts/bench.sh certificate-reading [bench_certificate_reading.py options]
set -euo pipefail
cd "$(dirname "$0")/.."
which="${1:-}"
case "$which" in
  policies|coverage|mixed) shift ;;
  claim-cases) which=claim_cases; shift ;;
  certificate-reading) which=certificate_reading; shift ;;
  *) echo "usage: scripts/bench.sh policies|coverage|mixed|claim-cases|certificate-reading [options]" >&2; exit 2 ;;
esac
scripts/bootstrap.sh requirements.txt
scripts/apt-install.sh wrk /usr/bin/wrk
scripts/apt-install.sh tesseract-ocr /usr/bin/tesseract
scripts/apt-install.sh poppler-utils /usr/bin/pdftoppm
exec .venv/bin/python "bench/bench_$which.py" "$@"
