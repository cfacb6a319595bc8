"""The seller's upload page reads the certificate dropped on it: the upload form's fields filled from it, each
with where it was read, and every requirement rule the policy meets or fails, with how to fix each.

The certificate is read and checked by certificate_check (the API's read does the same): its insurer on the
Accelerator, its signals, the requirement's reasons and the fixes' words come from there. The rules listed
are the upload form's own (uploads.upload_rules, which the page's live warnings apply as the seller edits),
each met, failed or not read.

Stores nothing: the seller corrects what was misread and sends the form, and `uploads.upload_policy` stores
the policy with the same PDF. The file is checked as the upload checks it (its size, a PDF by content, no
active content) before it is read, so what is read here is what the upload would accept.
"""

from __future__ import annotations

import logging
from collections.abc import Mapping
from dataclasses import dataclass, field
from datetime import date
from decimal import Decimal, InvalidOperation
from typing import BinaryIO

from flask import current_app
from sqlalchemy.exc import SQLAlchemyError

from accelerator.domain.certificate_check import (
    KnownInsurer,
    additional_insured_sentence,
    additional_insured_wording,
    how_to_fix,
)
from accelerator.domain.errors import DomainError
from accelerator.domain.money import display_money
from accelerator.domain.terms import Requirement
from accelerator.domain.warnings import shortfalls
from accelerator.extensions import db
from accelerator.services import uploads
from accelerator.services.certificate_check import check_reading
from accelerator.services.certificate_reading import (
    NotAPdf,
    TooLarge,
    UnreadableCertificate,
    read_certificate,
)

log = logging.getLogger(__name__)

# A read on the site stops well before gunicorn's 30-second worker timeout (sync workers: the worker is busy
# for the whole read), so the seller is answered in words rather than the worker being killed mid-read.
SITE_TIME_LIMIT = 20.0
OUTSIDE_INSURER = "outside"  # the upload form's choice for an insurer not on the Accelerator
# The upload form's fields the certificate can fill, in the form's order.
FORM_FIELDS = ("insurer_id", "insurer_name", "insurer_naic_code", "insurer_rating", "policy_number",
               "effective_date", "expiration_date", "per_occurrence_limit", "aggregate_limit", "deductible",
               "coverage_basis", "additional_insured")
# Which certificate field fills which form field (the insurer's three are decided together).
_FROM_READ = {"policy_number": "policy_number", "effective_date": "effective_date",
              "expiration_date": "expiration_date", "per_occurrence_limit": "per_occurrence_limit",
              "aggregate_limit": "aggregate_limit", "deductible": "deductible",
              "coverage_basis": "occurrence_based", "additional_insured": "additional_insured"}
# The signals worth the seller's look before sending; the others (a file edited after it was made, limits
# exactly at the minimum) are for the marketplace's verification, and the seller is not told what it looks for.
SELLER_SIGNALS = ("unreadable_fields", "naic_mismatch", "rating_below_minimum")
SOURCE_WORDS = {"form_field": "a field of the PDF form", "text": "the page's text", "ocr": "the scanned page (OCR)"}


@dataclass(frozen=True)
class RuleOutcome:
    """One requirement rule against the certificate: `met`, `failed` or `unknown` (its value was not read)."""

    code: str
    field: str
    rule: str
    status: str
    message: str = ""
    fix: str = ""

    def as_json(self) -> dict:
        """The rule for the page."""
        return {"code": self.code, "field": self.field, "rule": self.rule, "status": self.status,
                "message": self.message, "fix": self.fix}


@dataclass(frozen=True)
class UploadReading:
    """The certificate read for the upload form: values by form field, their evidence, the rules' outcomes."""

    values: dict[str, object]
    evidence: dict[str, dict]
    unread: tuple[str, ...]
    rules: tuple[RuleOutcome, ...]
    signals: tuple[dict, ...]
    wording: str
    requirement: dict = field(default_factory=dict)
    parties: dict = field(default_factory=dict)

    @property
    def meets(self) -> bool:
        """Whether no rule failed (a rule whose value was not read is not a failure, nor a pass)."""
        return not any(rule.status == "failed" for rule in self.rules)

    def as_json(self) -> dict:
        """The answer the upload page fills the form from."""
        return {"values": self.values, "evidence": self.evidence, "unread": list(self.unread),
                "rules": [rule.as_json() for rule in self.rules], "meets": self.meets,
                "signals": list(self.signals), "additional_insured_wording": self.wording,
                "requirement": self.requirement, "parties": self.parties}


def read_for_upload(stream: BinaryIO) -> UploadReading:
    """Read a dropped certificate for the upload form, or raise UnreadableCertificate (NotAPdf, TooLarge)
    saying why in words the seller can act on."""
    limit = uploads.max_bytes()
    content = uploads.read_limited(stream, limit)
    if content is None:
        raise TooLarge(too_large_message())
    problem = uploads.pdf_problem(content)
    if problem:
        raise (NotAPdf if content and not content.startswith(b"%PDF-") else UnreadableCertificate)(problem)
    _end_idle_transaction()
    try:
        check = check_reading(read_certificate(content, time_limit=time_limit()))
    except DomainError:
        raise
    except (SQLAlchemyError, MemoryError):
        raise
    except Exception as exc:  # a hostile file is refused in words, never answered with a 500
        log.warning("certificate could not be read: %s: %s", type(exc).__name__, exc)
        raise UnreadableCertificate("This PDF cannot be read; save or export it again, or fill in the form by "
                                    "hand.") from exc
    contract = check.as_contract()
    return for_form(contract["fields"], contract["evidence"], contract["signals"], check.insurer,
                    requirement=contract["requirement"])


def _end_idle_transaction() -> None:
    """End the request's transaction (this read writes nothing): a scan's OCR takes seconds, and on SQLite a
    transaction holds the writers' lock from its first statement (the login's own query)."""
    if not (db.session.new or db.session.dirty or db.session.deleted):
        db.session.commit()


def time_limit() -> float:
    """How long a read may take, in seconds (CERTIFICATE_READ_SECONDS, else SITE_TIME_LIMIT)."""
    return float(current_app.config.get("CERTIFICATE_READ_SECONDS") or SITE_TIME_LIMIT)


def too_large_message() -> str:
    """A file over the upload's limit, in the upload form's words."""
    return f"This file is larger than {uploads.size_words(uploads.max_bytes())}. Choose a smaller PDF."


def for_form(fields: Mapping[str, object], evidence: Mapping[str, dict], signals: list[dict],
             insurer: KnownInsurer | None, requirement: dict | None = None) -> UploadReading:
    """The contract's read body (`fields`, `evidence`, `signals`, `requirement`) and the Accelerator insurer it
    names (None: an outside insurer, or none read) as the upload form's values; the insured and the holder
    read, for the seller to see it is their certificate."""
    values: dict[str, object] = {name: None for name in FORM_FIELDS}
    notes: dict[str, dict] = {}
    for name, source in _FROM_READ.items():
        value = fields.get(source)
        if value is None:
            continue
        if name == "coverage_basis":
            value = "occurrence" if value else "claims_made"
        elif name in ("per_occurrence_limit", "aggregate_limit", "deductible"):
            value = _money_input(value)
        values[name] = value
        notes[name] = _note(evidence.get(source))
    _insurer(values, notes, fields, evidence, insurer)
    rules = tuple(judge(values, fields, current_app.config["REQUIREMENT"]))
    unread = tuple(name for name in FORM_FIELDS if values[name] is None and _applies(name, values))
    parties = {name: {"value": fields[name], "evidence": _note(evidence.get(name))}
               for name in ("insured_name", "certificate_holder") if fields.get(name) is not None}
    shown = tuple(signal for signal in signals if signal.get("code") in SELLER_SIGNALS)
    return UploadReading(values, notes, unread, rules, shown, _wording(), requirement or {}, parties)


def _wording() -> str:
    """The additional insured endorsement's sentence, as the check's fix quotes it (and the Accelerator's own
    certificates print it)."""
    return additional_insured_sentence(additional_insured_wording(current_app.config["MARKETPLACE_LEGAL_NAME"]))


def _applies(name: str, values: Mapping[str, object]) -> bool:
    """Whether the form needs this field: an outside insurer's name, code and rating only for an outside one."""
    if name in ("insurer_name", "insurer_naic_code", "insurer_rating"):
        return values["insurer_id"] == OUTSIDE_INSURER
    return True


def _money_input(value: object) -> str | None:
    """A contract amount (`"1000000.00"`) as the form's input shows one (`1,000,000.00`)."""
    try:
        return f"{Decimal(str(value)):,.2f}"
    except (InvalidOperation, ValueError):
        return None


def _note(evidence: Mapping[str, object] | None) -> dict:
    """Where a value was read, for the note under its field."""
    if not evidence:
        return {}
    return {"page": evidence.get("page"), "source": evidence.get("source"), "text": evidence.get("text"),
            "source_words": SOURCE_WORDS.get(str(evidence.get("source")), str(evidence.get("source")))}


def _insurer(values: dict, notes: dict, fields: Mapping[str, object], evidence: Mapping[str, dict],
             found: KnownInsurer | None) -> None:
    """The insurer: the one on the Accelerator the certificate names (by its NAIC code, else its name), or an
    outside insurer as read (its rating is not on a certificate: the seller chooses it)."""
    naic, name = fields.get("naic_code"), fields.get("insurer_name")
    if naic is None and name is None:
        return
    if found is not None:
        values["insurer_id"] = str(found.id)
        notes["insurer_id"] = _note(evidence.get("naic_code" if naic == found.naic_code else "insurer_name"))
        values["insurer_rating"] = found.rating  # for the rating rule; the form shows the insurer's own
        return
    values["insurer_id"] = OUTSIDE_INSURER
    notes["insurer_id"] = _note(evidence.get("insurer_name") or evidence.get("naic_code"))
    if name:
        values["insurer_name"] = name
        notes["insurer_name"] = _note(evidence.get("insurer_name"))
    if naic:
        values["insurer_naic_code"] = naic
        notes["insurer_naic_code"] = _note(evidence.get("naic_code"))


# The upload form's rule codes that the compliance reasons (and their fixes) call otherwise.
_REASON_CODES = {"per_occurrence_below": "limit_too_low", "aggregate_below": "limit_too_low",
                 "deductible_above": "deductible_too_high"}


def judge(values: Mapping[str, object], fields: Mapping[str, object], requirement: Requirement) -> list[RuleOutcome]:
    """Each rule the upload is judged by (uploads.upload_rules: the live warnings' own), met, failed or unknown,
    with the marketplace's words for the rule and, where failed, its sentence and how to fix it (the
    certificate check's words)."""
    marketplace = current_app.config["MARKETPLACE_LEGAL_NAME"]
    read = _read_values(fields)
    typed = _typed(values)
    failed = {s.code: s.message for s in shortfalls(uploads.upload_rules(), typed)}
    outcomes = []
    for rule in uploads.upload_rules():
        value = typed.get(rule.field)
        if rule.code in failed:
            status = "failed"
        elif value is None or value == "":
            status = "unknown"
        else:
            status = "met"
        fixed = (how_to_fix(_REASON_CODES.get(rule.code, rule.code), requirement, marketplace, read)
                 if status == "failed" else "")
        outcomes.append(RuleOutcome(rule.code, rule.field, rule_words(rule.code, requirement), status,
                                    failed.get(rule.code, ""), fixed))
    return outcomes


def _typed(values: Mapping[str, object]) -> dict[str, object]:
    """The form values as the rules judge them: amounts as Decimal, dates as date, the box as a bool (None
    where unread: an unread box is not judged unticked)."""
    typed: dict[str, object] = {}
    for name in ("per_occurrence_limit", "aggregate_limit", "deductible"):
        text = values.get(name)
        typed[name] = Decimal(str(text).replace(",", "")) if text is not None else None
    for name in ("effective_date", "expiration_date"):
        text = values.get(name)
        typed[name] = date.fromisoformat(str(text)) if text else None
    typed["coverage_basis"] = values.get("coverage_basis")
    typed["insurer_rating"] = values.get("insurer_rating")
    if values.get("additional_insured") is not None:
        typed["additional_insured"] = bool(values["additional_insured"])
    return typed


def _read_values(fields: Mapping[str, object]) -> dict[str, object]:
    """The contract's read fields typed as the fixes read them (the effective date as a date)."""
    effective = fields.get("effective_date")
    return {"effective_date": date.fromisoformat(effective) if isinstance(effective, str) else effective}


def rule_words(code: str, requirement: Requirement) -> str:
    """A requirement rule as the marketplace states it."""
    marketplace = current_app.config["MARKETPLACE_LEGAL_NAME"]
    return {
        "per_occurrence_below": f"A limit of at least {display_money(requirement.min_per_occurrence)} for each "
                                "occurrence",
        "aggregate_below": f"An aggregate limit of at least {display_money(requirement.min_aggregate)}",
        "deductible_above": f"A deductible of at most {display_money(requirement.max_deductible)}",
        "claims_made": "Written on an occurrence basis, not claims-made",
        "not_additional_insured": f"{marketplace} named as additional insured",
        "insurer_rating_too_low": f"An insurer rated {requirement.min_rating} or better by AM Best",
        "not_yet_effective": "In force today: taken effect already",
        "expired": "In force today: not expired",
    }.get(code, code)
