"""The reports' CSV responses: the download itself, streamed exports, dated file names, a CSV address's range."""

from __future__ import annotations

from collections.abc import Iterable

from flask import Response, stream_with_context

from accelerator.services import metrics
from accelerator.web.reports.forms import bad_csv_request, default_range, range_form

# --- CSV responses ----------------------------------------------------------------------------------------

def csv_response(body: str | Iterable[str], filename: str) -> Response:
    """A CSV download: text/csv in UTF-8, an attachment with its file name, never stored by a cache."""
    return Response(body, mimetype="text/csv", headers={
        "Content-Disposition": f'attachment; filename="{filename}"', "Cache-Control": "no-store"})


def streamed_csv(lines: Iterable[str], filename: str) -> Response:
    """A CSV download streamed line by line (the export reads its rows in chunks as the client reads)."""
    return csv_response(stream_with_context(lines), filename)


def dated_filename(stem: str, period: metrics.DateRange) -> str:
    """A file name for the numbers of a range: stem_START_END.csv."""
    return f"{stem}_{period.start.isoformat()}_{period.end.isoformat()}.csv"


def csv_range() -> metrics.DateRange | tuple:
    """The range of a CSV address (the default when absent), or the 400 page that says what is wrong."""
    form, period = range_form(default_range())
    return period if period is not None else bad_csv_request(form)


def csv_endpoint(key: str) -> str:
    """The endpoint name of a figure's CSV: `quote-funnel` -> `quote_funnel_csv`."""
    return key.replace("-", "_") + "_csv"

