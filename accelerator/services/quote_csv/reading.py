"""Reading the file: its bytes decoded, its header checked, its rows read as cells by column."""

from __future__ import annotations

import csv
import io

from accelerator.services.quote_csv.columns import COLUMNS, MAX_BYTES, MAX_ROWS, REQUIRED
from accelerator.services.quote_csv.outcomes import RowError, file_error

# --- reading the file ---------------------------------------------------------------------------


def decode(raw: bytes) -> str:
    """The file's text: UTF-8 (a byte-order mark is fine), or a ValidationError saying how to save it."""
    if len(raw) > MAX_BYTES:
        raise file_error(f"The file is larger than {MAX_BYTES // 1024} KB. Split it into smaller files.")
    if not raw.strip():
        raise file_error("The file is empty. Use the template: a header row, then one quote per row.")
    if raw.startswith(b"PK\x03\x04"):
        raise file_error("This is a spreadsheet workbook, not a CSV file. In your spreadsheet choose "
                          "Save As, then \u201cCSV UTF-8 (comma delimited)\u201d, and upload that file.")
    if raw.startswith((b"\xff\xfe", b"\xfe\xff")):
        raise file_error("The file is UTF-16 text. Save it as \u201cCSV UTF-8 (comma delimited)\u201d and "
                          "upload it again.")
    try:
        text = raw.decode("utf-8-sig")
    except UnicodeDecodeError as exc:
        raise file_error(f"The file is not UTF-8 text (byte {exc.start + 1} cannot be read). Save it as "
                          "\u201cCSV UTF-8 (comma delimited)\u201d and upload it again.") from exc
    if "\x00" in text:
        raise file_error("The file holds binary data, not CSV text. Upload a CSV file made from the template.")
    return text


def _header(cells: list[str]) -> list[str]:
    """The header's column names, or a file error naming the unknown, repeated and missing ones."""
    names = [c.strip().lower().replace(" ", "_") for c in cells]
    problems = []
    unknown = [n for n in names if n and n not in COLUMNS]
    if unknown:
        problems.append("unknown column" + ("s " if len(unknown) > 1 else " ") + ", ".join(unknown[:5]))
    repeated = sorted({n for n in names if n and names.count(n) > 1})
    if repeated:
        problems.append("repeated column" + ("s " if len(repeated) > 1 else " ") + ", ".join(repeated))
    missing = [c for c in REQUIRED if c not in names]
    if missing:
        problems.append("missing column" + ("s " if len(missing) > 1 else " ") + ", ".join(missing))
    if problems:
        raise file_error("The header row is not right: " + "; ".join(problems) + ". The first row must name "
                          "the columns as the template does.")
    return names


def read_rows(text: str) -> tuple[list[tuple[int, dict[str, str]]], list[RowError]]:
    """The header and the quote rows as (row number, {column: cell}); cells beyond the header are errors."""
    reader = csv.reader(io.StringIO(text, newline=""), strict=True)
    header: list[str] | None = None
    rows: list[tuple[int, dict[str, str]]] = []
    errors: list[RowError] = []
    number = 0
    try:
        for cells in reader:
            number += 1
            if not any(c.strip() for c in cells):
                continue  # a blank line: skipped, but it keeps its row number as a spreadsheet shows it
            if header is None:
                header = _header(cells)
                continue
            if len(rows) >= MAX_ROWS:
                raise file_error(f"The file has more than {MAX_ROWS:,} quote rows. Split it into smaller files.")
            extra = [c for c in cells[len(header):] if c.strip()]
            if extra:
                errors.append(RowError(number, "", f"This row has {len(cells)} cells; the header names "
                                                   f"{len(header)} columns."))
            values = {name: (cells[i] if i < len(cells) else "") for i, name in enumerate(header) if name}
            rows.append((number, values))
    except csv.Error as exc:
        raise file_error(f"The file is not valid CSV near row {number + 1}: {exc}. Check its quotes (\").") from exc
    if header is None:
        raise file_error("The file is empty. Use the template: a header row, then one quote per row.")
    if not rows:
        raise file_error("The file has a header but no quote rows.")
    return rows, errors
