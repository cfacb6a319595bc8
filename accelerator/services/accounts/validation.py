"""Checks shared by every account form: names, email addresses, control characters and their limits."""

from __future__ import annotations

import re

from email_validator import EmailNotValidError, validate_email

from accelerator.domain.errors import ValidationError

MAX_NAME = 200
MAX_EMAIL = 254
# Control characters (tabs and newlines aside): PostgreSQL refuses NUL in text, and none belongs in a name.
_CONTROL = re.compile(r"[\x00-\x08\x0b\x0c\x0e-\x1f\x7f]")


def has_control_characters(text: str | None) -> bool:
    """Whether text holds a control character other than tab, newline and carriage return."""
    return bool(text) and _CONTROL.search(text) is not None


def normalize_email(value: str) -> str:
    """Validate an email address (syntax only, no DNS) and return it lower-cased."""
    text = (value or "").strip()
    if len(text) > MAX_EMAIL or has_control_characters(text):
        raise ValidationError("Enter a valid email address.", fields={"email": "Enter a valid email address."})
    try:
        result = validate_email(text, check_deliverability=False)
    except EmailNotValidError as exc:
        raise ValidationError("Enter a valid email address.", fields={"email": str(exc)}) from exc
    return result.normalized.lower()


def person_or_business_name(value: str | None, field: str, missing: str) -> str:
    """A name as typed, trimmed: required, at most 200 characters, no control characters."""
    name = (value or "").strip()
    if not name:
        raise ValidationError(missing, fields={field: "Required."})
    if len(name) > MAX_NAME or has_control_characters(name):
        raise ValidationError(missing, fields={field: f"Use at most {MAX_NAME} ordinary characters."})
    return name

