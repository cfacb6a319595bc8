"""Bulk quotes from a CSV file: every row checked, and all of them offered in one transaction or none."""

from __future__ import annotations

from accelerator.services.quote_csv.applying import upload_quotes
from accelerator.services.quote_csv.columns import COLUMNS, MAX_BYTES, MAX_ID, MAX_ROWS, OPTIONAL, REQUIRED
from accelerator.services.quote_csv.outcomes import QuoteCsvRejected, RowError, UploadResult
from accelerator.services.quote_csv.reading import decode, read_rows
from accelerator.services.quote_csv.rows import check_row
from accelerator.services.quote_csv.template import safe_cell, template_csv

__all__ = [
    "COLUMNS",
    "MAX_BYTES",
    "MAX_ID",
    "MAX_ROWS",
    "OPTIONAL",
    "REQUIRED",
    "QuoteCsvRejected",
    "RowError",
    "UploadResult",
    "check_row",
    "decode",
    "read_rows",
    "safe_cell",
    "template_csv",
    "upload_quotes",
]
