"""The reports' forms (a date range, the compliance filters), the default range and today, and their errors."""

from __future__ import annotations

import re
from datetime import date, timedelta

from flask import request
from werkzeug.datastructures import MultiDict
from wtforms import Form, SelectField, StringField
from wtforms.widgets import DateInput

from accelerator import clock
from accelerator.domain import compliance
from accelerator.domain.errors import ValidationError
from accelerator.http import error_page
from accelerator.services import metrics
from accelerator.web.forms import choices, strip

DEFAULT_WEEKS = 12
STATUS_LABELS = {
    compliance.DUE: "Due", compliance.OVERDUE: "Overdue", compliance.PENDING_VERIFICATION: "Pending verification",
    compliance.COMPLIANT: "Compliant", compliance.NOT_REQUIRED: "Not required",
}
FIELD_LABELS = {"start": "start date", "end": "end date", "on": "date", "status": "status", "within": "days"}
MAX_WITHIN_DAYS = 366
MAX_ECHO = 40  # characters of a bad value shown back in its input
_CONTROL = re.compile(r"[\x00-\x1f\x7f]")


def default_range(today: date | None = None) -> metrics.DateRange:
    """The last 12 weeks: from the Monday 11 weeks before this week's Monday, to today."""
    today = today or clock.today()
    monday = today - timedelta(days=today.weekday())
    return metrics.DateRange(monday - timedelta(weeks=DEFAULT_WEEKS - 1), today)


# --- Forms and their errors -------------------------------------------------------------------------------

class RangeForm(Form):
    """A date range (a GET form: no CSRF token, it changes nothing)."""

    start = StringField("Start date", filters=[strip], widget=DateInput())
    end = StringField("End date", filters=[strip], widget=DateInput())


class ComplianceFilterForm(Form):
    """Which sellers the compliance list shows: a status, judged on a day."""

    status = SelectField("Status", default="", choices=choices(STATUS_LABELS.items(), "Every status"))
    on = StringField("Judged on", filters=[strip], widget=DateInput())
    within = StringField("Deadline within (days)", filters=[strip])  # empty: any deadline


def _message(name: str, message: str) -> str:
    """A service's field message as a sentence: "The end date must be on or after the start date."."""
    return f"The {FIELD_LABELS.get(name, name)} {message}."


def place_errors(form: Form, exc: ValidationError) -> None:
    """Put a ValidationError's messages at the form's fields (any other message at the top)."""
    for name, message in (exc.fields or {"": exc.message}).items():
        field = form._fields.get(name)
        if field is not None:
            field.errors = [*field.errors, _message(name, message)]
        else:
            form.form_errors.append(exc.message)


def query_arg(name: str) -> str:
    """A query-string value without surrounding white space ("" when absent)."""
    return (request.args.get(name) or "").strip()


def echo_value(value: str | None) -> str:
    """A submitted value as it may be shown back in its input: bounded, without control characters."""
    return _CONTROL.sub("", (value or "").strip()[:MAX_ECHO])


def range_form(default: metrics.DateRange | None) -> tuple[RangeForm, metrics.DateRange | None]:
    """The range of the query string (an absent or empty date takes the default's), checked.

    With `default` None the range is optional: both dates empty give (form, None) and no error.
    Returns the form (with errors at its fields when the range is bad) and the range, or None.
    """
    start, end = query_arg("start"), query_arg("end")
    if default is not None:
        start, end = start or default.start.isoformat(), end or default.end.isoformat()
    # The form shows the values back (bounded and cleaned); the range is judged on what was sent.
    form = RangeForm(MultiDict({"start": echo_value(start), "end": echo_value(end)}))
    if default is None and not start and not end:
        return form, None
    if default is None and not (start and end):
        missing = "start" if not start else "end"
        form[missing].errors = [f"Enter the {FIELD_LABELS[missing]} too, or leave both dates empty for every policy."]
        return form, None
    try:
        return form, metrics.parse_range(start, end)
    except ValidationError as exc:
        place_errors(form, exc)
        return form, None


def bad_csv_request(form: Form) -> tuple:
    """A 400 page for a CSV address with bad parameters: what is wrong, in sentences."""
    problems = [message for field in form for message in field.errors] + list(form.form_errors)
    return error_page(400, " ".join(problems) + " Go back to the report and choose again.")

