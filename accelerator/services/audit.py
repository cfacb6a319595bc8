"""The audit log: services record who changed what, inside the transaction that changes it."""

from __future__ import annotations

from sqlalchemy import func, select

from accelerator import clock
from accelerator.extensions import db
from accelerator.models import AuditEntry, Insurer, User
from accelerator.services.session_writes import SessionWriter

# Pages past this are clamped: a huge page number would overflow the database's OFFSET.
MAX_PAGE = 100_000
# Details that name insurers: by id (older entries: `routed_to` a list of ids, `insurer` an id), by
# {"id", "name"} (a request's `routed_to` since names were recorded), or by name (an upload's `insurer`).
INSURER_DETAILS = ("routed_to", "insurer")


class Actor:
    """Who is acting: a logged-in user, the command line, or an API key."""

    def __init__(self, label: str, user_id: int | None = None):
        """`label` is what the log shows; `user_id` links a person's entries to their account."""
        self.label = label
        self.user_id = user_id

    @classmethod
    def of_user(cls, user: User) -> Actor:
        """The actor for a logged-in person."""
        return cls(user.email, user.id)

    @classmethod
    def cli(cls) -> Actor:
        """The actor for the flask command line."""
        return cls("cli")

    @classmethod
    def api_key(cls, prefix: str) -> Actor:
        """The actor for an API key."""
        return cls(f"api-key {prefix}")


def record(actor: Actor, action: str, object_type: str, object_id: object, **details) -> AuditEntry:
    """Add an audit entry to the session (committed with the change it describes)."""
    entry = AuditEntry(
        actor=actor.label,
        actor_user_id=actor.user_id,
        action=action,
        object_type=object_type,
        object_id=str(object_id),
        details=_jsonable(details),
    )
    db.session.add(entry)
    return entry


def write(writer: SessionWriter, actor: Actor, action: str, object_type: str, object_id: object, **details) -> None:
    """As `record`, but inserted at once by one prepared statement in the session's transaction (for
    busy writes that bypass the unit of work)."""
    writer.insert(AuditEntry.__table__, dict(
        at=clock.now(), actor=actor.label, actor_user_id=actor.user_id, action=action, object_type=object_type,
        object_id=str(object_id), details=_jsonable(details)))


def _jsonable(value):
    """Details as JSON-safe values (Decimals, dates and the like become strings)."""
    if isinstance(value, dict):
        return {str(k): _jsonable(v) for k, v in value.items()}
    if isinstance(value, (list, tuple, set, frozenset)):
        return [_jsonable(v) for v in value]
    if value is None or isinstance(value, (bool, int, str)):
        return value
    return str(value)


def list_entries(page: int = 1, per_page: int = 50, object_type: str | None = None):
    """The audit log, newest first, paginated (a page out of range is clamped, never an error)."""
    page = min(max(int(page), 1), MAX_PAGE)
    per_page = min(max(int(per_page), 1), 200)
    query = select(AuditEntry).order_by(AuditEntry.id.desc())
    if object_type:
        query = query.where(AuditEntry.object_type == object_type)
    return db.paginate(query, page=page, per_page=per_page, error_out=False)


def count_entries() -> int:
    """How many audit entries exist."""
    return db.session.execute(select(func.count(AuditEntry.id))).scalar_one()


def insurer_names(entries) -> dict[int, str]:
    """The current names of the insurers that these entries' details name by id alone (see INSURER_DETAILS)."""
    ids = set()
    for entry in entries:
        for key in INSURER_DETAILS:
            value = (entry.details or {}).get(key)
            for item in value if isinstance(value, list) else [value]:
                if isinstance(item, int) and not isinstance(item, bool):
                    ids.add(item)
    if not ids:
        return {}
    return dict(db.session.execute(select(Insurer.id, Insurer.name).where(Insurer.id.in_(ids))).all())
