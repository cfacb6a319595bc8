"""The one exception hierarchy of the Accelerator, mapped to HTTP in one place."""

from __future__ import annotations


class DomainError(Exception):
    """A rule said no. Carries a machine code, a human message and optional per-field messages."""

    status = 400
    code = "invalid_request"

    def __init__(self, message: str, *, fields: dict[str, str] | None = None, code: str | None = None):
        super().__init__(message)
        self.message = message
        self.fields = fields or {}
        if code:
            self.code = code


class ValidationError(DomainError):
    """Input was malformed or broke a rule about its own values."""


class NotFound(DomainError):
    """The thing named does not exist, or the caller may not know that it does."""

    status = 404
    code = "not_found"


class Forbidden(DomainError):
    """The caller is known but may not do this."""

    status = 403
    code = "forbidden"


class Conflict(DomainError):
    """The request clashes with the current state (a duplicate, a closed request, ...)."""

    status = 409
    code = "conflict"


class RateLimited(DomainError):
    """Too many attempts; try again after `retry_after` seconds."""

    status = 429
    code = "rate_limited"

    def __init__(self, message: str, *, retry_after: int):
        super().__init__(message)
        self.retry_after = retry_after
