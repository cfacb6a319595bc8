"""Coverage checks: the marketplace asks who answers for a claim; every answer is recorded first.

This is the hottest path of the product, so it reads only the columns the decision and the answer
need, in as few statements as possible: one for the seller's policies (one for every seller of a
batch), one more only when a seller has no policy (is it known?), and one INSERT of the record(s),
committed before the answer leaves. They run on the hot path's own connections (services/hotpath.py):
a batch's records and their commit in one round trip on PostgreSQL. The answer is serialized once, by joining
pre-encoded pieces (the same text `json` would give: a test compares them), and the record keeps that
exact text; the replay answers it again byte for byte.

Where things are (every name other code uses is re-exported here, so `coverage.<name>` works):
- coverage/questions.py: the question, `CheckInput` and `parse_check`, MAX_BATCH, and new check ids
  (`_new_check_id`).
- coverage/statements.py: the prepared statements (`_statement`, cached once per process in `_prepared`,
  over `_POLICY_COLUMNS`) and the read of the sellers' policies (`_load`).
- coverage/answers.py: the answer's JSON text (`_answer_text`, `_policy_text`, the encoder `_json`) and a
  batch item's error (`_item_error`).
- coverage/checks.py: `run_checks` (decide, serialize, record; the fast path in api/coverage/ calls it
  too) and the public check functions: `check_coverage_text`, `check_coverage`, `check_batch_text`,
  `check_batch`.
- coverage/replays.py: the replay of a recorded check, `get_check_text` and `get_check`.
"""

from __future__ import annotations

from accelerator.services.coverage.answers import _json
from accelerator.services.coverage.checks import (
    check_batch,
    check_batch_text,
    check_coverage,
    check_coverage_text,
    run_checks,
)
from accelerator.services.coverage.questions import MAX_BATCH, CheckInput, parse_check
from accelerator.services.coverage.replays import get_check, get_check_text
from accelerator.services.coverage.statements import _POLICY_COLUMNS, _statement
from accelerator.services.prepared import Prepared

__all__ = [
    "MAX_BATCH",
    "_POLICY_COLUMNS",
    "CheckInput",
    "Prepared",
    "_json",
    "_statement",
    "check_batch",
    "check_batch_text",
    "check_coverage",
    "check_coverage_text",
    "get_check",
    "get_check_text",
    "parse_check",
    "run_checks",
]
