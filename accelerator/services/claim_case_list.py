"""The case list's reads by prepared statements: the cases whose deadline passed (escalated before the list
is read), and one page: the cases, the check each stands on, their history.

Listing 50 cases cost 12.8 ms in process through the ORM (a select of ClaimCase, selectinload of its
events: cache keys, instance population, the identity map) for 0.5 ms of SQL (bench/profile_claim_list.py).
Here each statement is compiled once per dialect and filter (services/prepared.py, on the session's
transaction) and reads the same values into plain objects: the total; one page of cases with their
check's stored answer (the page's ids taken by the index alone, so a deep page's OFFSET walks index
entries, not rows); their history. The cases are `SimpleNamespace`s with every column of claim_cases and
`events`, as a new case is (services/claim_case_opening.new_case): nothing of them is tracked or written.
The overdue cases' select costs 0.09 ms so, 0.57 ms through the ORM, on every list.
"""

from __future__ import annotations

from datetime import datetime
from types import SimpleNamespace

from sqlalchemy import Integer, bindparam, func, select

from accelerator.domain import claim_cases as rules
from accelerator.extensions import db
from accelerator.models import ClaimCase, ClaimCaseEvent, CoverageCheck
from accelerator.services.paging import Page
from accelerator.services.session_writes import SessionWriter

_CASES = ClaimCase.__table__
_EVENTS = ClaimCaseEvent.__table__
_CHECKS = CoverageCheck.__table__
_CASE_COLUMNS = tuple(_CASES.columns.keys())
_EVENT_COLUMNS = ("claim_case_id", "id", "at", "event", "by", "note")
_FILTERS = ("insurer_id", "state", "seller_id")  # the list's filters: columns of claim_cases, compared for equality
_DEADLINE_STATES = tuple(sorted(rules.DEADLINE_STATES))


def _where(query, filters: tuple[str, ...]):
    """`query` with `column = :column` for each filter given."""
    for name in filters:
        query = query.where(_CASES.c[name] == bindparam(name, type_=_CASES.c[name].type))
    return query


def _overdue(filters: tuple[str, ...]):
    """The case_id of every case in a state with a deadline that passed before :now."""
    states = [bindparam(f"state{i}", type_=_CASES.c.state.type) for i in range(len(_DEADLINE_STATES))]
    statement = _where(select(_CASES.c.case_id).where(
        _CASES.c.state.in_(states), _CASES.c.respond_by < bindparam("now", type_=_CASES.c.respond_by.type)), filters)
    return statement, [*(state.key for state in states), "now", *filters], [_CASES.c.case_id]


def overdue(insurer_id: int | None, now: datetime) -> list[str]:
    """The case_id of each case (of the insurer, when given) waiting in a state whose deadline passed before `now`."""
    filters = ("insurer_id",) if insurer_id is not None else ()
    values = [*_DEADLINE_STATES, now, *([insurer_id] if insurer_id is not None else [])]
    db.session.flush()  # what the session holds unwritten is read too, as the ORM's select would autoflush it
    return [row[0] for row in SessionWriter().rows(f"claim_case_list.overdue:{','.join(filters)}",
                                                   lambda: _overdue(filters), values)]


def _count(filters: tuple[str, ...]):
    """How many cases match."""
    return _where(select(func.count()).select_from(_CASES), filters), list(filters), ()


def _page(filters: tuple[str, ...]):
    """One page of cases, newest first, each with its check's stored answer (the last column)."""
    newest_first = (_CASES.c.opened_at.desc(), _CASES.c.id.desc())
    ids = (_where(select(_CASES.c.id), filters).order_by(*newest_first)
           .limit(bindparam("limit", type_=Integer)).offset(bindparam("offset", type_=Integer)))
    columns = [*_CASES.c, _CHECKS.c.response]
    statement = (select(*columns).select_from(_CASES.outerjoin(_CHECKS, _CHECKS.c.check_id == _CASES.c.check_id))
                 .where(_CASES.c.id.in_(ids)).order_by(*newest_first))
    return statement, [*filters, "limit", "offset"], columns


def _history(size: int):
    """The history of up to `size` cases (their ids in binds case0 ...), each case's oldest first."""
    columns = [_EVENTS.c[name] for name in _EVENT_COLUMNS]
    ids = [bindparam(f"case{i}", type_=Integer) for i in range(size)]
    statement = select(*columns).where(_EVENTS.c.claim_case_id.in_(ids)).order_by(_EVENTS.c.claim_case_id,
                                                                                _EVENTS.c.id)
    return statement, [f"case{i}" for i in range(size)], columns


def read_page(insurer_id: int | None, state: str | None, seller_id: str | None, page: int,
              per_page: int) -> Page:
    """Cases newest first, by insurer, state and seller (None: any); the items are (case, check's stored
    answer as text) pairs. A page past the end is empty and costs no OFFSET."""
    given = {"insurer_id": insurer_id, "state": state, "seller_id": seller_id}
    filters = tuple(name for name in _FILTERS if given[name] is not None)
    values = [given[name] for name in filters]
    key = ",".join(filters)
    db.session.flush()  # what the session holds unwritten is read too, as the ORM's select would autoflush it
    writer = SessionWriter()
    total = writer.rows(f"claim_case_list.count:{key}", lambda: _count(filters), values)[0][0]
    offset = (page - 1) * per_page
    if offset >= total:
        return Page(items=[], page=page, per_page=per_page, total=total)
    rows = writer.rows(f"claim_case_list.page:{key}", lambda: _page(filters), [*values, per_page, offset])
    cases = []
    by_id = {}
    for row in rows:
        case = SimpleNamespace(**dict(zip(_CASE_COLUMNS, row[:-1], strict=True)), events=[])
        cases.append((case, row[-1]))
        by_id[case.id] = case.events
    if by_id:
        # One statement for every count of cases up to the next power of two (the last id repeated): a
        # handful of statements per dialect instead of one per page size.
        ids = list(by_id)
        size = 1 << (len(ids) - 1).bit_length()
        ids += ids[-1:] * (size - len(ids))
        for event in writer.rows(f"claim_case_list.history:{size}", lambda: _history(size), ids):
            by_id[event[0]].append(SimpleNamespace(**dict(zip(_EVENT_COLUMNS, event, strict=True))))
    return Page(items=cases, page=page, per_page=per_page, total=total)
