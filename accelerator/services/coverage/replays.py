"""The replay of a recorded check: `get_check_text` (the exact text it answered) and `get_check`."""

from __future__ import annotations

import json

from sqlalchemy import select

from accelerator.domain.errors import NotFound
from accelerator.extensions import db
from accelerator.services.coverage.statements import CHECKS


def get_check_text(check_id: object) -> str:
    """The exact JSON text a recorded check answered, or NotFound."""
    if not isinstance(check_id, str) or not check_id.startswith("chk_") or len(check_id) > 40:
        raise NotFound("No coverage check with this id.")
    text = db.session.execute(select(CHECKS.c.response).where(CHECKS.c.check_id == check_id)).scalar()
    if text is None:
        raise NotFound("No coverage check with this id.")
    return text


def get_check(check_id: object) -> dict:
    """The JSON answer a recorded check gave, field for field."""
    return json.loads(get_check_text(check_id))
