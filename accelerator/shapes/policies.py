"""Policies and claims paid, declared once: the insurer's and the marketplace's paths, bodies and queries,
and the contract's policy object and claim object that every answer carrying them is dumped from.

The policy object (`Policy`) is the one declaration of its fields: the insurer endpoints, the coverage check
(also its hot path, services/coverage), compliance, claim cases and the `policy.cancelled` webhook all write
it with `policy_json`, and the OpenAPI document's `Policy` schema is generated from it. A field is read from
the policy row's attribute of the same name (`_from_row`), so adding an output field touches exactly:
1. accelerator/models/policy.py (the column), 2. a migration in migrations/versions/ (adding it), and
3. this class `Policy` (one line: `name: Type`). The coverage hot path selects every declared field that is a
column of `policies` (services/coverage/statements.py reads `Policy.model_fields`), so nothing else changes.
A field that is not a column under its own name (`insurer`, `meets_requirement`, `pending_cancellation`) is
filled in `_derived`; the columns such a field reads beyond the declared ones are named in `Policy.ROW_READS`
(the hot path selects them too). The client (accelerator/client.py) types its answers with the same class, so
it follows.
"""

from __future__ import annotations

import functools
from typing import Annotated, Any, ClassVar, Literal

import pydantic
from flask import current_app
from pydantic import (
    AfterValidator,
    BaseModel,
    ConfigDict,
    Field,
    PlainValidator,
    StrictBool,
    TypeAdapter,
    WithJsonSchema,
    model_validator,
)

from accelerator import clock
from accelerator.domain.categories import CATEGORY_CODES
from accelerator.domain.claim_input import MAX_CLAIM_ID, check_claim_id, parse_insurer_id
from accelerator.domain.compliance import meets_requirement
from accelerator.domain.money import ZERO
from accelerator.shapes.values import (
    CATEGORY_SCHEMA,
    DAY_IN_SCHEMA,
    REQUIRED,
    Day,
    DayOut,
    IdOut,
    JsonNumber,
    Money,
    MoneyOrZero,
    MoneyOut,
    Page,
    PageNumber,
    PerPage,
    PolicyNumber,
    SellerId,
    SellerIdOut,
    given_when,
    one_of,
    refuse,
    text,
    text_schema,
)
from accelerator.shapes.writers import writer

_POLICY_NUMBER_OUT = {"type": "string", "pattern": r"^[A-Za-z0-9][A-Za-z0-9._-]{0,63}$"}


def _sentence(exc: ValueError) -> str:
    """A service rule's message ("must be ...") as the contract writes it ("Must be ...")."""
    text = str(exc)
    return f"{text[:1].upper()}{text[1:]}."


def _claim_id(value: Any) -> str:
    if value is None:
        raise refuse(REQUIRED)
    try:
        return check_claim_id(value)
    except ValueError as exc:
        raise refuse(_sentence(exc)) from None


def _insurer_id(value: Any) -> int | None:
    try:  # an id written as a JSON number is read by its text, as before
        return parse_insurer_id(value.text if isinstance(value, JsonNumber) else value)
    except ValueError as exc:
        raise refuse(_sentence(exc)) from None


def _unique_categories(value: Any) -> list[str]:
    """Known category codes, each once."""
    if not isinstance(value, list) or not all(isinstance(v, str) for v in value):
        raise refuse("Must be an array of category codes.")
    unknown = [v for v in value if v not in CATEGORY_CODES]
    if unknown:
        raise refuse("Unknown category code(s): " + ", ".join(repr(v[:40]) for v in unknown[:5]) + ".")
    if len(set(value)) != len(value):
        raise refuse("Each category may appear once.")
    return list(value)


class _NullIsAbsent(BaseModel):
    """A body whose optional fields, sent as JSON null, take their defaults (the contract's rule)."""

    model_config = ConfigDict(extra="forbid")

    @model_validator(mode="before")
    @classmethod
    def _drop_nulls(cls, data: Any) -> Any:
        if not isinstance(data, dict):
            return data
        return {k: v for k, v in data.items() if v is not None or cls.model_fields.get(k) is None
                or cls.model_fields[k].is_required()}


# --- what the callers send ----------------------------------------------------------------------------


class PolicyPath(BaseModel):
    """A policy named in a path (a number that cannot exist is a 404, not a 400)."""

    model_config = ConfigDict(extra="forbid")

    policy_number: PolicyNumber


@functools.cache
def _field_reader(model: type[BaseModel], name: str) -> TypeAdapter:
    """A reader of one field of a declaration, on its own."""
    field = model.model_fields[name]
    return TypeAdapter(Annotated[field.annotation, *field.metadata])


class PolicyReport(_NullIsAbsent):
    """POST /api/v1/policies's body; the rules across fields (term, limits, deductible) are the service's
    `term_errors`, reported with the fields' own errors at once."""

    model_config = ConfigDict(extra="forbid", json_schema_extra={"description": (
        "expiration_date after effective_date and at most 1,096 days after it; aggregate_limit >= "
        "per_occurrence_limit; deductible < per_occurrence_limit. An unknown seller ID creates the seller's "
        "record.")})

    policy_number: PolicyNumber
    seller_id: SellerId
    effective_date: Day
    expiration_date: Day
    per_occurrence_limit: Money
    aggregate_limit: Money
    deductible: MoneyOrZero = Field(default=ZERO, description="Default 0; may be 0.")
    occurrence_based: StrictBool = True
    additional_insured: StrictBool = False
    excluded_categories: Annotated[list[str], PlainValidator(_unique_categories), WithJsonSchema(
        {"type": "array", "items": CATEGORY_SCHEMA, "uniqueItems": True, "default": []})] = []
    premium: Money | None = Field(default=None, description="Optional annual premium.")

    @classmethod
    def well_formed(cls, data: dict, names: tuple[str, ...]) -> dict[str, Any]:
        """Each named field's value where it is well-formed on its own (its default where absent), else None:
        what the rules across fields can judge while other fields are wrong."""
        values: dict[str, Any] = {}
        for name in names:
            field, raw = cls.model_fields[name], data.get(name)
            if raw is None:
                values[name] = None if field.is_required() else field.default
                continue
            try:
                values[name] = _field_reader(cls, name).validate_python(raw)
            except pydantic.ValidationError:
                values[name] = None
        return values


class CancelBody(BaseModel):
    """POST /api/v1/policies/{policy_number}/cancel's body."""

    model_config = ConfigDict(extra="forbid")

    cancellation_date: Day


NOTICE_KINDS = ("notice_of_cancellation", "reinstatement", "non_renewal")
MAX_NOTICE_REASON = 2000


class NoticeBody(BaseModel):
    """POST /api/v1/policies/{policy_number}/notices's body; which fields a kind takes is the service's
    `kind_errors`, reported with the fields' own errors at once."""

    model_config = ConfigDict(extra="forbid", json_schema_extra={"description": (
        "`notice_of_cancellation` takes `cancellation_date` (after today, on or after the effective date and "
        "before the expiration date) and `reason`; `reinstatement` and `non_renewal` take neither."),
        **given_when("kind", "notice_of_cancellation",
                     {"cancellation_date": DAY_IN_SCHEMA, "reason": text_schema(MAX_NOTICE_REASON)},
                     not_taken=("cancellation_date", "reason"))})

    kind: one_of(*NOTICE_KINDS)
    cancellation_date: Day | None = Field(default=None, description="With a notice of cancellation only.")
    reason: text(MAX_NOTICE_REASON) | None = Field(
        default=None, description="With a notice of cancellation only: why, as the seller will read it.")


class NoQuery(BaseModel):
    """The query of an endpoint that takes no parameter (each one sent is refused)."""

    model_config = ConfigDict(extra="forbid")


class PageQuery(BaseModel):
    """A list's paging: `page` (1 and up) and `per_page` (1 to 200)."""

    model_config = ConfigDict(extra="forbid")

    page: PageNumber = 1
    per_page: PerPage = 50


class PolicyListQuery(PageQuery):
    """GET /api/v1/policies's query."""

    seller_id: SellerId | None = Field(default=None, description="Only this seller's policies.")


class ClaimReport(_NullIsAbsent):
    """POST /api/v1/claims's body."""

    claim_id: Annotated[str, PlainValidator(_claim_id), WithJsonSchema(
        {"type": "string", "minLength": 1, "maxLength": MAX_CLAIM_ID,
         "pattern": r"^[^\x00-\x1f\x7f-\x9f]+$",
         "description": "The claims service's own id: printable characters (no control characters, no code "
                        "point Unicode leaves unassigned)."})]
    seller_id: SellerId
    policy_number: PolicyNumber
    insurer_id: Annotated[int | None, PlainValidator(_insurer_id), WithJsonSchema(
        {"anyOf": [{"type": "string", "pattern": r"^[1-9][0-9]{0,8}$"}, {"type": "null"}],
         "description": "Needed only where the seller holds two policies with that number: the policy "
                        "object's insurer.id."})] = None
    incident_date: Day
    amount_paid: Money


# --- the answers: built from a row, dumped as the contract writes them --------------------------------


class PolicyInsurer(BaseModel):
    """The insurer inside a policy object (`id` null for an insurer outside the Accelerator)."""

    model_config = ConfigDict(extra="forbid")

    id: IdOut | None
    name: str
    naic_code: str | None
    am_best_rating: str | None


class PendingCancellation(BaseModel):
    """A cancellation to come: its date (after today) and the insurer's reason (null for a plain cancel)."""

    model_config = ConfigDict(extra="forbid")

    date: DayOut
    reason: str | None


class Policy(BaseModel):
    """The contract's policy object. Each field is read from the row's attribute of the same name."""

    model_config = ConfigDict(extra="forbid")
    # Columns `_from_row` reads for the derived fields, beyond the declared ones (the hot path selects them).
    ROW_READS: ClassVar[tuple[str, ...]] = ("cancellation_reason",)

    policy_number: Annotated[str, WithJsonSchema(_POLICY_NUMBER_OUT)]
    insurer: PolicyInsurer
    seller_id: SellerIdOut
    source: Literal["marketplace", "insurer", "seller_upload"]
    verification: Literal["verified", "pending", "rejected"]
    effective_date: DayOut
    expiration_date: DayOut
    cancellation_date: DayOut | None
    per_occurrence_limit: MoneyOut
    aggregate_limit: MoneyOut
    aggregate_remaining: MoneyOut
    deductible: MoneyOut
    occurrence_based: bool
    additional_insured: bool
    excluded_categories: Annotated[list[str], AfterValidator(sorted), WithJsonSchema(
        {"type": "array", "items": CATEGORY_SCHEMA})]
    meets_requirement: bool
    pending_cancellation: PendingCancellation | None = Field(description=(
        "While the cancellation date is after today: the date and the reason of the insurer's notice of "
        "cancellation (null reason for a cancellation sent without one); else null."))
    renewal: Literal["not_offered"] | None = Field(description=(
        "`not_offered` once the insurer gave notice of non-renewal; null while it has said nothing."))

    @model_validator(mode="before")
    @classmethod
    def _from_row(cls, row: Any) -> Any:
        """A policy row (models.Policy, or the coverage hot path's selected row) as the object's fields."""
        if isinstance(row, dict):
            return row
        values = {name: getattr(row, name) for name in cls.model_fields if name not in _DERIVED}
        values.update(_derived(row, current_app.config["REQUIREMENT"]))
        return values


def _derived(row: Any, requirement: Any) -> dict[str, Any]:
    """The fields that are not a column of the row under their own name."""
    ends = row.cancellation_date
    return {"insurer": {"id": row.insurer_id, "name": row.insurer_name, "naic_code": row.insurer_naic_code,
                        "am_best_rating": row.insurer_rating},
            "meets_requirement": meets_requirement(row.terms(), requirement),
            "pending_cancellation": ({"date": ends, "reason": row.cancellation_reason}
                                     if ends is not None and ends > clock.today() else None)}


_DERIVED = frozenset({"insurer", "meets_requirement", "pending_cancellation"})  # the fields `_derived` fills


class Claim(BaseModel):
    """A claim paid, as POST /api/v1/claims first answered it."""

    model_config = ConfigDict(extra="forbid")

    claim_id: str = Field(min_length=1, max_length=MAX_CLAIM_ID)
    policy_number: Annotated[str, WithJsonSchema(_POLICY_NUMBER_OUT)]
    seller_id: SellerIdOut
    incident_date: DayOut
    amount_paid: MoneyOut
    aggregate_remaining: MoneyOut = Field(
        description="The policy's aggregate remaining right after this claim; it stops at 0.00.")

    @model_validator(mode="before")
    @classmethod
    def _from_row(cls, row: Any) -> Any:
        """A models.Claim row as the object's fields (its policy's number through the relationship)."""
        if isinstance(row, dict):
            return row
        values = {name: getattr(row, name) for name in cls.model_fields if name != "policy_number"}
        values["policy_number"] = row.policy.policy_number
        return values


class PolicyPage(Page[Policy]):
    """A page of the insurer's policies, by policy number."""


class ClaimPage(Page[Claim]):
    """A page of the claims paid on a policy, oldest first."""


def policy_json(policy: Any) -> dict:
    """The contract's policy object of a policy row, as its declaration dumps it."""
    return Policy.model_validate(policy).model_dump(mode="json")


_write_policy = writer(Policy)


def policy_json_written(policy: Any, requirement: Any) -> dict:
    """What `policy_json` gives, written by the declaration's writer (shapes/writers.py) without validating:
    the coverage batch writes one for each policy it chooses (tests/integration/test_coverage_service.py
    holds the two equal)."""
    return _write_policy(policy, excluded_categories=sorted(policy.excluded_categories or ()),
                         **_derived(policy, requirement))


def claim_json(claim: Any) -> dict:
    """The contract's claim object of a claim row, as its declaration dumps it."""
    return Claim.model_validate(claim).model_dump(mode="json")
