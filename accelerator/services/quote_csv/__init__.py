"""Bulk quotes from a CSV file: every row checked, and all of them offered in one transaction or none.

The file has a header row naming its columns (any order; the optional ones may be left out) and one
quote per row, as the portal's template shows. A row is checked as the API checks an offer: money in
plain decimal notation (a `$` and thousands commas are forgiven), dates `YYYY-MM-DD`, the rules of
`quotes.offer_errors`, and a quote request routed to this insurer that still takes quotes. When any
row is wrong, nothing is applied and `QuoteCsvRejected` lists every problem as (row, column, message),
rows numbered as a spreadsheet numbers them (the header is row 1).

Where things are (every name below is also importable from this package, so `quote_csv.<name>` works):
- quote_csv/columns.py: the columns (`REQUIRED`, `OPTIONAL`, `COLUMNS`) and the limits (`MAX_BYTES`,
  `MAX_ROWS`, `MAX_CELL`, `MAX_ID`).
- quote_csv/outcomes.py: `RowError`, `QuoteCsvRejected`, `UploadResult`, the checked row `Row` and the
  file-level error `file_error`.
- quote_csv/template.py: the template (`template_csv`) and `safe_cell`.
- quote_csv/reading.py: reading the file (`decode`, `read_rows`).
- quote_csv/rows.py: checking one row (`check_row`) and the cell parsers.
- quote_csv/applying.py: applying the file (`upload_quotes`), with the routings locked and checked.
"""

from __future__ import annotations

from accelerator.services.quote_csv.applying import upload_quotes
from accelerator.services.quote_csv.columns import (
    COLUMNS,
    MAX_BYTES,
    MAX_CELL,
    MAX_ID,
    MAX_ROWS,
    OPTIONAL,
    REQUIRED,
)
from accelerator.services.quote_csv.outcomes import QuoteCsvRejected, RowError, UploadResult
from accelerator.services.quote_csv.reading import decode, read_rows
from accelerator.services.quote_csv.rows import check_row
from accelerator.services.quote_csv.template import safe_cell, template_csv

__all__ = [
    "COLUMNS", "MAX_BYTES", "MAX_CELL", "MAX_ID", "MAX_ROWS", "OPTIONAL", "REQUIRED", "QuoteCsvRejected", "RowError",
    "UploadResult", "check_row", "decode", "read_rows", "safe_cell", "template_csv", "upload_quotes",
]
