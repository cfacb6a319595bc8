"""A certificate's read fields judged: the requirement rules the fields allow, each failure with how to fix it
in the marketplace's words, and the signals that compare the certificate with the Accelerator's insurers.

Pure. The compliance rules and their sentences are compliance.py's (`policy_reasons`): the fields read
are put into a policy's terms, and a field that was not read gets a value that passes its rule, so only
what was read is judged. The additional-insured wording a seller asks the agent for is written here once.
"""

from __future__ import annotations

import re
from collections.abc import Iterable, Mapping
from dataclasses import dataclass
from datetime import date
from decimal import Decimal

from accelerator.domain.certificate_fields import Evidence
from accelerator.domain.compliance import policy_reasons
from accelerator.domain.coverage import Reason
from accelerator.domain.money import display_money
from accelerator.domain.terms import PolicyTerms, Requirement
from accelerator.domain.values import rating_at_least

# The fields the requirement's rules read: `meets` is true only when each was read (and none fails).
JUDGED_FIELDS = ("effective_date", "expiration_date", "per_occurrence_limit", "aggregate_limit", "deductible",
                 "occurrence_based", "additional_insured")
# The contract's order of signals.
SIGNAL_CODES = ("edited_after_creation", "naic_mismatch", "rating_below_minimum", "limits_at_minimum",
                "unreadable_fields")
UNREAD_NUMBER = "(number not read)"
_SOURCE_WORDS = {"form_field": "form field", "text": "text", "ocr": "OCR"}
# Words an insurer's name carries or drops from one document to the next ("Harbor Mutual Insurance Company"
# on a certificate is "Harbor Mutual" on the Accelerator).
_NAME_NOISE = frozenset({"the", "insurance", "ins", "company", "co", "inc", "incorporated", "corp", "corporation",
                         "llc", "ltd", "limited", "of", "and", "group"})


@dataclass(frozen=True)
class KnownInsurer:
    """An insurer on the Accelerator, as the checks compare it: its name, NAIC code and AM Best rating."""

    id: int
    name: str
    naic_code: str
    rating: str | None


@dataclass(frozen=True)
class RequirementResult:
    """Whether the certificate meets the requirement, and each rule it fails (compliance reasons' form)."""

    meets: bool
    reasons: tuple[Reason, ...]

    def as_contract(self) -> dict:
        """The contract's `requirement` object."""
        return {"meets": self.meets, "reasons": [{"code": r.code, "policy_number": r.policy_number,
                                                  "message": r.message} for r in self.reasons]}


def additional_insured_wording(legal_name: str) -> str:
    """The marketplace as additional insured, as the Accelerator's certificates name it and a seller asks an
    agent to name it: "<legal name> and its affiliates and assignees". Written here once."""
    return f"{legal_name} and its affiliates and assignees"


def additional_insured_sentence(wording: str) -> str:
    """The endorsement's sentence naming `wording` (from `additional_insured_wording`) as additional insured, as a
    certificate prints it and a seller asks an agent for it."""
    return f"{wording} are included as additional insured."


def how_to_fix(code: str, requirement: Requirement, marketplace: str, fields: Mapping[str, object]) -> str:
    """What the seller does about a failed rule, in the marketplace's words (`marketplace`: its legal name)."""
    if code == "limit_too_low":
        return (f"Ask your insurance agent for limits of at least {display_money(requirement.min_per_occurrence)} "
                f"per occurrence and {display_money(requirement.min_aggregate)} aggregate.")
    if code == "deductible_too_high":
        return f"Ask your insurance agent for a deductible of {display_money(requirement.max_deductible)} or less."
    if code == "not_additional_insured":
        return (f"Ask your insurance agent to endorse the policy in these words: "
                f"\u201c{additional_insured_sentence(additional_insured_wording(marketplace))}\u201d")
    if code == "claims_made":
        return f"Ask your insurance agent for an occurrence-based policy: {marketplace} does not accept claims-made."
    if code == "insurer_rating_too_low":
        return f"Choose a policy from an insurer rated {requirement.min_rating} or better by AM Best."
    if code == "not_yet_effective":
        effective = fields.get("effective_date")
        when = effective.isoformat() if isinstance(effective, date) else "the day it takes effect"
        return f"Upload it again on or after {when}, or upload the certificate of a policy in force today."
    return "Upload the certificate of the policy that renews it, in force today."


def _terms(fields: Mapping[str, object], rating: str | None, requirement: Requirement) -> PolicyTerms:
    """The read fields as a policy's terms; each unread field set to a value that passes its rule."""
    def read(name: str, passing: object) -> object:
        value = fields.get(name)
        return passing if value is None else value

    per_occurrence = read("per_occurrence_limit", requirement.min_per_occurrence)
    aggregate = read("aggregate_limit", requirement.min_aggregate)
    return PolicyTerms(
        policy_number=str(fields.get("policy_number") or UNREAD_NUMBER), insurer_id=None,
        insurer_rating=rating if rating is not None else requirement.min_rating, source="seller_upload",
        verification="verified",  # the certificate is judged, not its verification
        effective_date=read("effective_date", date.min), expiration_date=read("expiration_date", date.max),
        cancellation_date=None, per_occurrence_limit=per_occurrence, aggregate_limit=aggregate,
        aggregate_remaining=aggregate, deductible=read("deductible", requirement.max_deductible),
        occurrence_based=bool(read("occurrence_based", True)),
        additional_insured=bool(read("additional_insured", True)))


def certificate_requirement(fields: Mapping[str, object], rating: str | None, requirement: Requirement,
                            today: date, marketplace: str) -> RequirementResult:
    """The compliance rules the read fields allow, judged on `today`; `rating` is the AM Best rating of the
    insurer on the Accelerator the certificate names (None: not judged); `marketplace` the marketplace's legal
    name. Each reason's message ends with how to fix it."""
    reasons = []
    for reason in policy_reasons(_terms(fields, rating, requirement), today, requirement):
        message = f"{reason.message} {how_to_fix(reason.code, requirement, marketplace, fields)}"
        reasons.append(Reason(reason.code, fields.get("policy_number") and str(fields["policy_number"]), message))
    meets = not reasons and all(fields.get(name) is not None for name in JUDGED_FIELDS)
    return RequirementResult(meets, tuple(reasons))


def evidence_words(evidence: Evidence | None) -> str:
    """Where a value was read, as people read it: `page 1, text: 'POLICY NUMBER HX-1'`."""
    if evidence is None:
        return "not read"
    return f"page {evidence.page}, {_SOURCE_WORDS.get(evidence.source, evidence.source)}: '{evidence.text}'"


def name_words(name: str) -> tuple[str, ...]:
    """An insurer's name reduced to the words that tell insurers apart."""
    words = re.findall(r"[a-z0-9]+", name.replace("&", " and ").casefold())
    return tuple(word for word in words if word not in _NAME_NOISE)


def same_insurer_name(a: str, b: str) -> bool:
    """Whether two names are one insurer's: the same telling words, or one's are the start of the other's."""
    first, second = name_words(a), name_words(b)
    if not first or not second:
        return a.strip().casefold() == b.strip().casefold()
    shorter, longer = sorted((first, second), key=len)
    return longer[:len(shorter)] == shorter


def named_insurer(fields: Mapping[str, object], insurers: Iterable[KnownInsurer]) -> KnownInsurer | None:
    """The insurer on the Accelerator the certificate names: the one with its NAIC code, else its name."""
    by_code, by_name = _by_code_and_name(fields, list(insurers))
    return by_code or by_name


def _by_code_and_name(fields: Mapping[str, object],
                      insurers: list[KnownInsurer]) -> tuple[KnownInsurer | None, KnownInsurer | None]:
    """The insurer with the certificate's NAIC code, and the one with its insurer's name (either may be None)."""
    code, name = fields.get("naic_code"), fields.get("insurer_name")
    by_code = next((i for i in insurers if code and i.naic_code == code), None)
    named = [i for i in insurers if isinstance(name, str) and same_insurer_name(i.name, name)]
    # Of several names that match, the one with the certificate's code, else the closest in length.
    by_name = next((i for i in named if i is by_code), None) or min(
        named, key=lambda i: abs(len(name_words(i.name)) - len(name_words(str(name)))), default=None)
    return by_code, by_name


def insurer_signals(fields: Mapping[str, object], evidence: Mapping[str, Evidence], insurers: Iterable[KnownInsurer],
                    requirement: Requirement) -> list[tuple[str, str]]:
    """(code, message) of naic_mismatch, rating_below_minimum and limits_at_minimum, each naming its evidence."""
    insurers = list(insurers)
    found = []
    by_code, by_name = _by_code_and_name(fields, insurers)
    code, name = fields.get("naic_code"), fields.get("insurer_name")
    where_code = evidence_words(evidence.get("naic_code"))
    where_name = evidence_words(evidence.get("insurer_name"))
    if by_code is not None and name and not same_insurer_name(by_code.name, str(name)):
        found.append(("naic_mismatch", f"The NAIC code {code} ({where_code}) is that of {by_code.name} on the "
                                       f"Accelerator, but the certificate names {name} ({where_name})."))
    elif by_name is not None and code and by_name.naic_code != code:
        found.append(("naic_mismatch", f"{by_name.name} is on the Accelerator with the NAIC code "
                                       f"{by_name.naic_code}, but the certificate gives {code} ({where_code}) "
                                       f"for {name} ({where_name})."))
    # Where code and name point at two insurers, either one rated low is worth the look.
    named = [(by_code, where_code)] + ([(by_name, where_name)] if by_name is not by_code else [])
    for insurer, where in named:
        if insurer is None:
            continue
        if not rating_at_least(insurer.rating, requirement.min_rating):
            rated = f"rated {insurer.rating}" if insurer.rating else "not rated"
            found.append(("rating_below_minimum", f"{insurer.name} (NAIC {insurer.naic_code}), named on the "
                                                  f"certificate ({where}), is {rated} by AM Best on the "
                                                  f"Accelerator; the requirement is {requirement.min_rating} "
                                                  "or better."))
    per_occurrence, aggregate = fields.get("per_occurrence_limit"), fields.get("aggregate_limit")
    if (isinstance(per_occurrence, Decimal) and isinstance(aggregate, Decimal)
            and per_occurrence == requirement.min_per_occurrence and aggregate == requirement.min_aggregate):
        found.append(("limits_at_minimum", f"Both limits are exactly the required minimum: "
                                           f"{display_money(per_occurrence)} per occurrence "
                                           f"({evidence_words(evidence.get('per_occurrence_limit'))}) and "
                                           f"{display_money(aggregate)} aggregate "
                                           f"({evidence_words(evidence.get('aggregate_limit'))})."))
    return found


def signal_order(code: str) -> int:
    """A signal's place in the contract's order."""
    return SIGNAL_CODES.index(code) if code in SIGNAL_CODES else len(SIGNAL_CODES)


# The fields a seller enters that a certificate states, in the order the admin checks them, with their names.
COMPARED = {"insured_name": "Insured", "insurer_name": "Insurer", "naic_code": "NAIC code",
            "policy_number": "Policy number", "effective_date": "Effective", "expiration_date": "Expires",
            "per_occurrence_limit": "Each occurrence", "aggregate_limit": "Aggregate", "deductible": "Deductible",
            "occurrence_based": "Occurrence basis", "additional_insured": "Additional insured"}
SAME, DIFFERS, NOT_READ, NOT_ENTERED = "same", "differs", "not_read", "not_entered"


@dataclass(frozen=True)
class FieldComparison:
    """One field as the seller entered it and as the certificate states it, with where it was read."""

    name: str
    label: str
    entered: object  # the contract's form ("1000000.00", "2026-01-01", True), None where nothing was entered
    read: object
    evidence: str  # evidence_words(...)
    status: str  # SAME, DIFFERS, NOT_READ or NOT_ENTERED

    @property
    def differs(self) -> bool:
        """Whether the certificate says something other than what was entered."""
        return self.status == DIFFERS


def _same(name: str, entered: object, read: object) -> bool:
    """Whether an entered and a read value say the same (names by their telling words, codes case-blind)."""
    if name == "insurer_name":
        return same_insurer_name(str(entered), str(read))
    if isinstance(entered, str) and isinstance(read, str):
        return " ".join(entered.casefold().split()) == " ".join(read.casefold().split())
    return entered == read


def compare_fields(entered: Mapping[str, object], read: Mapping[str, object],
                   evidence: Mapping[str, Mapping[str, object]]) -> list[FieldComparison]:
    """Each compared field: what was entered, what was read and its evidence (contract forms), and whether
    they agree."""
    found = []
    for name, label in COMPARED.items():
        mine, theirs = entered.get(name), read.get(name)
        where = evidence.get(name)
        words = evidence_words(Evidence(int(where["page"]), str(where["source"]), str(where["text"]))
                               if where else None)
        if theirs is None:
            status = NOT_READ
        elif mine is None:
            status = NOT_ENTERED
        else:
            status = SAME if _same(name, mine, theirs) else DIFFERS
        found.append(FieldComparison(name, label, mine, theirs, words, status))
    return found
