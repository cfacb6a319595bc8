"""Run a measurement in several forked processes at once and collect what each one reports."""

from __future__ import annotations

import json
import os
from collections.abc import Callable


def in_processes(count: int, work: Callable[[int], object]) -> list:
    """`work(number)` in `count` forked processes at once (number 0 to count - 1); the JSON value each
    returned, in order. A child that fails reports nothing and raises here."""
    readers = []
    for number in range(count):
        read_end, write_end = os.pipe()
        if os.fork() == 0:
            os.close(read_end)
            try:
                os.write(write_end, json.dumps(work(number)).encode())
            finally:
                os._exit(0)
        os.close(write_end)
        readers.append(read_end)
    results = []
    for read_end in readers:
        with os.fdopen(read_end) as fh:
            text = fh.read()
        results.append(json.loads(text) if text else None)
    for _ in readers:
        os.wait()
    if None in results:
        raise RuntimeError("a measuring process failed")
    return results
