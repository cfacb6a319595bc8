"""The rules of what the claims service sends for a paid claim (POST /api/v1/claims): its id and the insurer's.

Pure, so the declaration (accelerator/shapes/policies.py, `ClaimReport`) runs them.
"""

from __future__ import annotations

import unicodedata

MAX_CLAIM_ID = 64


def check_claim_id(value: object) -> str:
    """A claims-service id: 1 to 64 printable characters (no control characters, no lone surrogates)."""
    if not isinstance(value, str) or not 1 <= len(value) <= MAX_CLAIM_ID:
        raise ValueError(f"must be a string of 1 to {MAX_CLAIM_ID} characters")
    if any(unicodedata.category(ch) in ("Cc", "Cs", "Cn") for ch in value):
        raise ValueError("must hold printable characters only")
    return value


def parse_insurer_id(value: object) -> int | None:
    """The optional insurer id: absent/null, or an id as the policy object writes it (`"12"`)."""
    if value is None:
        return None
    text = value if isinstance(value, str) else None
    if text is None or not text.isascii() or not text.isdigit() or len(text) > 18 or int(text) < 1:
        raise ValueError("must be an insurer id as the policy object gives it, such as \"12\"")
    return int(text)
