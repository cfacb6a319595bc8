"""Passwords: the length rule and hashing with the configured method."""

from __future__ import annotations

from flask import current_app
from werkzeug.security import generate_password_hash

from accelerator.domain.errors import ValidationError

MIN_PASSWORD = 10
MAX_PASSWORD = 128


def check_password_strength(password: str, field: str = "password") -> None:
    """Passwords are 10 to 128 characters (ASVS: length over composition rules)."""
    if len(password or "") < MIN_PASSWORD:
        raise ValidationError("Choose a longer password.",
                              fields={field: f"Use at least {MIN_PASSWORD} characters."})
    if len(password) > MAX_PASSWORD:
        raise ValidationError("Choose a shorter password.",
                              fields={field: f"Use at most {MAX_PASSWORD} characters."})


def hash_password(password: str) -> str:
    """Hash with the configured method (PBKDF2-SHA256, 600,000 iterations by default)."""
    return generate_password_hash(password, method=current_app.config["PASSWORD_HASH_METHOD"])

