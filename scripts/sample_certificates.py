"""Write the demo's sample certificates to static/samples/ (the upload page's "Try a sample").

    python -m scripts.sample_certificates

Each is one certificate of the benchmark corpus (bench/certificate_corpus.py), the same bytes on every
run: an ACORD-25-like grid that does not name the marketplace as additional insured, a letter of evidence
that fails several rules, and a scan (an image-only page that needs OCR) that meets them.
"""

from __future__ import annotations

import sys
from pathlib import Path

from bench.certificate_corpus import certificate

SAMPLES = {"certificate-grid.pdf": ("grid", 6), "certificate-letter.pdf": ("letter", 2),
           "certificate-scan.pdf": ("scan", 4)}
FOLDER = Path(__file__).resolve().parent.parent / "static" / "samples"


def main(argv: list[str]) -> None:
    """Write the samples (to the folder given, else static/samples) and print the folder."""
    folder = Path(argv[1]) if len(argv) > 1 else FOLDER
    folder.mkdir(parents=True, exist_ok=True)
    for name, (kind, index) in SAMPLES.items():
        (folder / name).write_bytes(certificate(kind, index).content)
    print(folder)


if __name__ == "__main__":
    main(sys.argv)
