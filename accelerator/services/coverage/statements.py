"""The hot path's prepared statements (compiled once per process, in `_prepared`) and the policies' read."""

from __future__ import annotations

import functools
from collections.abc import Callable, Sequence

from sqlalchemy import bindparam, case, exists, insert, or_, select, union_all

from accelerator.domain.coverage import InOrder, in_order
from accelerator.domain.money import ZERO
from accelerator.domain.terms import PolicyTerms
from accelerator.models import CoverageCheck, MonthlySales, Policy, QuoteRequest, User
from accelerator.services.coverage.questions import MAX_BATCH
from accelerator.services.hotpath import KEY_BY_PREFIX, KEY_COLUMNS, KEY_SOURCE, Link
from accelerator.services.prepared import Prepared, arrays_insert
from accelerator.shapes.policies import Policy as PolicyObject

CHECKS = CoverageCheck.__table__
# Where a seller is known from when it holds no policy (an account, a quote request, reported sales): the
# "known" read of a batch and the single check's joined read on PostgreSQL ask the same places.
_KNOWN_BY = (User.seller_id, QuoteRequest.seller_id, MonthlySales.seller_id)
_policies = Policy.__table__
# The columns the decision needs (in this order: `_terms` reads them by position) ...
DECISION_COLUMNS = (
    _policies.c.id, _policies.c.seller_id, _policies.c.policy_number, _policies.c.insurer_id,
    _policies.c.insurer_name, _policies.c.insurer_naic_code, _policies.c.insurer_rating, _policies.c.source,
    _policies.c.verification, _policies.c.effective_date, _policies.c.expiration_date,
    _policies.c.cancellation_date, _policies.c.per_occurrence_limit, _policies.c.aggregate_limit,
    _policies.c.claims_paid, _policies.c.deductible, _policies.c.occurrence_based,
    _policies.c.additional_insured, _policies.c.excluded_categories,
)


def declared_columns(declaration: type[PolicyObject]) -> tuple:
    """The columns of `policies` that a policy object declaration names (as fields, or as columns its derived
    fields read) and the decision does not read."""
    taken = {column.name for column in DECISION_COLUMNS}
    wanted = set(declaration.model_fields) | set(declaration.ROW_READS)
    return tuple(column for column in _policies.c if column.name in wanted and column.name not in taken)


# ... then every other column the policy object declares, by name: a field added to the declaration
# (shapes/policies.Policy) is selected without a change here.
POLICY_COLUMNS = DECISION_COLUMNS + declared_columns(PolicyObject)


def _terms(row: Sequence) -> PolicyTerms:
    """The domain's terms of a selected row; its key is the row id (which the record keeps)."""
    (policy_id, _seller, number, insurer_id, _name, _naic, rating, source, verification, effective, expiration,
     cancellation, per_occurrence, aggregate, claims_paid, deductible, occurrence_based, additional_insured,
     excluded, *_declared_only) = row
    remaining = aggregate - claims_paid
    return PolicyTerms(number, insurer_id, rating, source, verification, effective, expiration, cancellation,
                       per_occurrence, aggregate, remaining if remaining > ZERO else ZERO, deductible,
                       occurrence_based, additional_insured, frozenset(excluded) if excluded else frozenset(),
                       policy_id)


_RECORD_COLUMNS = ("check_id", "checked_at", "seller_id", "incident_date", "amount", "category", "status", "route",
                   "covered_amount", "policy_id", "api_key_id", "response")
# Lists of sellers are padded (with their last ID) to one of these lengths, so a few compiled
# statements serve every batch.
_SIZES = (1, 8, 64, MAX_BATCH)
_prepared: dict[tuple[str, str, str, int], Prepared] = {}


def prepared_statement(dialect, kind: str, size: int = 1) -> Prepared:
    """The hot path's statement `kind` for `size` sellers, compiled for `dialect` (once per process)."""
    key = (dialect.name, dialect.paramstyle, kind, size)
    found = _prepared.get(key)
    if found is not None:
        return found
    names = [f"s{i}" for i in range(size)]
    sellers = [bindparam(name, type_=_policies.c.seller_id.type) for name in names]
    if kind == "policies":
        statement = select(*POLICY_COLUMNS).where(_policies.c.seller_id.in_(sellers) if size > 1
                                                   else _policies.c.seller_id == sellers[0])
        found = Prepared(statement, dialect, names, POLICY_COLUMNS)
    elif kind == "key_policies":
        found = _key_and_policies(dialect)
    elif kind == "known":
        statement = union_all(*(select(column).where(column.in_(sellers)) for column in _KNOWN_BY))
        found = Prepared(statement, dialect, names)
    elif size == 1:
        values = {name: bindparam(name, type_=CHECKS.c[name].type) for name in _RECORD_COLUMNS}
        found = Prepared(insert(CHECKS).values(values), dialect, _RECORD_COLUMNS,
                         rows=functools.partial(prepared_statement, dialect, "record"))
        if dialect.driver == "psycopg" and dialect.paramstyle == "numeric_dollar":  # the hot path's RawCursor
            found.arrays_sql = arrays_insert(CHECKS, _RECORD_COLUMNS, dialect)
    else:
        rows = [{name: bindparam(f"{name}_{i}", type_=CHECKS.c[name].type) for name in _RECORD_COLUMNS}
                for i in range(size)]
        found = Prepared(insert(CHECKS).values(rows), dialect,
                         [f"{name}_{i}" for i in range(size) for name in _RECORD_COLUMNS])
    _prepared[key] = found
    return found


def _key_and_policies(dialect) -> Prepared:
    """One seller's check read in one statement: the key by its prefix (KEY_COLUMNS), with the seller's policies
    (POLICY_COLUMNS; all None when there is none) and, on that row only, whether the seller is known.

    A row per policy, each carrying the key; none when there is no such key. PostgreSQL evaluates the
    "known" subqueries (uncorrelated: init plans) only when the CASE reaches them, for a seller without policies.
    """
    seller = bindparam("seller", type_=_policies.c.seller_id.type)
    known = case((_policies.c.id.is_(None), or_(*(exists().where(column == seller) for column in _KNOWN_BY))))
    columns = (*KEY_COLUMNS, *POLICY_COLUMNS, known)
    statement = (select(*columns)
                 .select_from(KEY_SOURCE.outerjoin(_policies, _policies.c.seller_id == seller))
                 .where(KEY_BY_PREFIX))
    return Prepared(statement, dialect, ["prefix", "seller"], columns)


def _padded(seller_ids: list[str]) -> tuple[list[str], int]:
    size = next(n for n in _SIZES if n >= len(seller_ids))
    return seller_ids + [seller_ids[-1]] * (size - len(seller_ids)), size


class LoadedPolicies:
    """What the reads found: each seller's policies (in the decision's order), their rows, known sellers."""

    __slots__ = ("known", "policies", "rows")

    def __init__(self):
        self.policies: dict[str, InOrder] = {}
        self.rows: dict[int, Sequence] = {}
        self.known: set[str] = set()


def load_policies(dialect, link: Link, seller_ids: list[str]) -> Callable[[], LoadedPolicies]:
    """Send the read of every policy of these sellers (one statement); the returned function gives
    what was found, reading which of the sellers without any policy are known (one more statement)."""
    values, size = _padded(seller_ids)
    policy_rows = link.send(prepared_statement(dialect, "policies", size), values)

    def loaded() -> LoadedPolicies:
        found = _collected(policy_rows())
        policies = found.policies
        missing = [seller for seller in seller_ids if seller not in policies]
        if missing:
            more, more_size = _padded(missing)
            found.known = {row[0] for row in link.rows(prepared_statement(dialect, "known", more_size), more)}
        return found

    return loaded


def _collected(policy_rows) -> LoadedPolicies:
    """The policies of selected rows (POLICY_COLUMNS), grouped by seller in the decision's order."""
    found = LoadedPolicies()
    policies, rows = found.policies, found.rows
    for row in policy_rows:
        rows[row[0]] = row
        terms = policies.get(row[1])
        if terms is None:
            policies[row[1]] = [_terms(row)]
        else:
            terms.append(_terms(row))
    for seller, terms in policies.items():
        policies[seller] = in_order(terms)  # once per seller (an InOrder), not once per check of a batch
    return found


_KEY_WIDTH = len(KEY_COLUMNS)
_POLICY_END = _KEY_WIDTH + len(POLICY_COLUMNS)


def load_key_and_policies(dialect, link: Link, prefix: str, seller_id: str) -> tuple[Sequence | None, LoadedPolicies]:
    """The key with this prefix (a row for hotpath.KeyRow, or None) and one seller's policies, in one statement
    and one round trip (the single check on PostgreSQL; `_key_and_policies`)."""
    rows = link.rows(prepared_statement(dialect, "key_policies"), [prefix, seller_id])
    if not rows:
        return None, LoadedPolicies()
    first = rows[0]
    if first[_KEY_WIDTH] is None:  # no policy: the one row says whether the seller is known
        found = LoadedPolicies()
        if first[-1]:
            found.known.add(seller_id)
    else:
        found = _collected([row[_KEY_WIDTH:_POLICY_END] for row in rows])
    return first[:_KEY_WIDTH], found
