"""The certificate-reading benchmark: the share of fields read right per kind of certificate, and the time a page.

    .venv/bin/python bench/bench_certificate_reading.py [--count 40] [--scans 12] [--out bench/out/certread.json]

The corpus (bench/certificate_corpus.py, fixed seed) holds grids, letters and filled forms (text PDFs)
and scans at 200 dpi. The kinds are read interleaved (one of each in turn), so load from elsewhere on the
shared machine falls on all alike. A field is right when the value read equals the truth in the
contract's format; a field read with a wrong value is counted apart from one not read at all. The
`edited_after_creation` signal is checked against the files saved again after they were made.
A benchmark, not a test: it never fails on a figure.
"""

from __future__ import annotations

import argparse
import json
import platform
import statistics
import subprocess
import sys
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

from accelerator.domain.certificate_fields import FIELDS
from accelerator.services.certificate_reading import read_certificate
from bench.certificate_corpus import KINDS, certificate


def measure(count: int, scans: int) -> dict:
    """Read the corpus, interleaving kinds; per kind: fields right, wrong, missed, seconds a page, signals."""
    plan = [(kind, index) for index in range(count) for kind in KINDS if kind != "scan" or index < scans]
    figures = {kind: {"documents": 0, "right": 0, "wrong": 0, "missed": 0, "seconds": [], "signal_right": 0,
                      "by_field": {name: 0 for name in FIELDS}} for kind in KINDS}
    for kind, index in plan:
        item = certificate(kind, index)
        began = time.monotonic()
        reading = read_certificate(item.content)
        seconds = time.monotonic() - began
        got = reading.as_contract()
        figure = figures[kind]
        figure["documents"] += 1
        figure["seconds"].append(seconds / reading.pages)
        for name in FIELDS:
            value = got["fields"][name]
            if value == item.truth[name]:
                figure["right"] += 1
                figure["by_field"][name] += 1
            elif value is None:
                figure["missed"] += 1
            else:
                figure["wrong"] += 1
                print(f"wrong {item.name} {name}: {value!r} (truth {item.truth[name]!r})", file=sys.stderr)
        edited = any(s["code"] == "edited_after_creation" for s in got["signals"])
        figure["signal_right"] += edited == item.truth["edited_after_creation"]
    for figure in figures.values():
        times = figure.pop("seconds")
        total = figure["documents"] * len(FIELDS)
        figure["share_right"] = round(figure["right"] / total, 4) if total else None
        figure["median_seconds_a_page"] = round(statistics.median(times), 3) if times else None
        figure["max_seconds_a_page"] = round(max(times), 3) if times else None
    return figures


def machine() -> dict:
    """The CPU, Python and load, for results.md."""
    cpu = next((line.split(":", 1)[1].strip() for line in Path("/proc/cpuinfo").read_text().splitlines()
                if line.startswith("model name")), platform.processor())
    tesseract = subprocess.run(["tesseract", "--version"], capture_output=True, text=True, check=False).stdout
    return {"cpu": cpu, "python": platform.python_version(),
            "tesseract": tesseract.splitlines()[0] if tesseract else None,
            "load_average": Path("/proc/loadavg").read_text().split()[:3]}


def main() -> None:
    """Measure and print the figures as JSON (and write them to --out)."""
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--count", type=int, default=40, help="text certificates of each kind")
    parser.add_argument("--scans", type=int, default=12, help="scanned certificates")
    parser.add_argument("--out", default="bench/out/certread.json")
    args = parser.parse_args()
    before = machine()
    figures = measure(args.count, args.scans)
    result = {"figures": figures, "machine": before, "load_after": machine()["load_average"],
              "corpus": {"count": args.count, "scans": args.scans}}
    Path(args.out).parent.mkdir(parents=True, exist_ok=True)
    Path(args.out).write_text(json.dumps(result, indent=1))
    print(json.dumps(result, indent=1))


if __name__ == "__main__":
    main()
