"""Coverage checks: the marketplace asks who answers for a claim, and every answer is recorded first.

The hottest path of the product: it reads only the columns the decision and the answer need, on the hot
path's own connections (services/hotpath.py), and records the answer's exact text, which a replay gives back.
"""

from __future__ import annotations

from accelerator.services.coverage.checks import (
    check_batch,
    check_batch_text,
    check_coverage,
    check_coverage_text,
    check_question_text,
    count_recorded,
    decide_one,
    run_checks,
    write_records,
)
from accelerator.services.coverage.questions import MAX_BATCH, CheckInput, parse_check
from accelerator.services.coverage.replays import get_check, get_check_text

__all__ = [
    "MAX_BATCH",
    "CheckInput",
    "check_batch",
    "check_batch_text",
    "check_coverage",
    "check_coverage_text",
    "check_question_text",
    "count_recorded",
    "decide_one",
    "get_check",
    "get_check_text",
    "parse_check",
    "run_checks",
    "write_records",
]
