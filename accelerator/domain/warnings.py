"""Warnings before sending: which of the marketplace's requirement rules a quote request, an offer or a
policy being uploaded falls short of, one sentence at each field.

The rules are data (`Rule`: the field read, a test, its threshold, a sentence with `{value}` where the
entered value goes), judged here by `shortfalls` and, in the browser, by static/js/site.js from the same
rules rendered into the page: the figures and the wording are written once, here.
"""

from __future__ import annotations

from collections.abc import Collection, Iterable, Mapping
from dataclasses import asdict, dataclass
from datetime import date
from decimal import Decimal, InvalidOperation

from accelerator.domain.categories import category_name
from accelerator.domain.errors import DomainError
from accelerator.domain.money import display_money
from accelerator.domain.terms import Requirement
from accelerator.domain.values import AM_BEST_RATINGS, rating_at_least

VALUE = "{value}"  # where a rule's sentence takes the entered value, as shown


@dataclass(frozen=True)
class Rule:
    """One requirement rule as a form checks it: `field`'s value passes `test` against `threshold`.

    The tests (site.js applies the same): `min` / `max` (money at least / at most), `checked` (a box ticked),
    `equals`, `one_of` (a value from the list), `on_or_before` / `after` (a date against the threshold day).
    """

    code: str
    field: str
    test: str
    threshold: str | tuple[str, ...] | None
    template: str  # the sentence when the value fails, with VALUE where the value goes
    kind: str = "text"  # how the value is shown: money, date or text

    def as_json(self) -> dict:
        """The rule for the page's data attribute."""
        data = asdict(self)
        if isinstance(self.threshold, tuple):
            data["threshold"] = list(self.threshold)
        return data


@dataclass(frozen=True)
class Shortfall:
    """One rule a form's values fall short of: the field, the rule's code and the sentence."""

    field: str
    code: str
    message: str


class UnconfirmedShortfalls(DomainError):
    """The values fall short of the requirement and the sender has not confirmed sending them anyway."""

    status = 200
    code = "confirmation_needed"

    def __init__(self, shortfalls: list[Shortfall]):
        super().__init__("This falls short of the marketplace's requirement: confirm to send it anyway.")
        self.shortfalls = shortfalls


def limit_rules(requirement: Requirement) -> list[Rule]:
    """Each limit at least the required minimum, the deductible at most the allowed maximum."""
    return [
        Rule("per_occurrence_below", "per_occurrence_limit", "min", str(requirement.min_per_occurrence),
             f"Per-occurrence limit {VALUE} is below the required {display_money(requirement.min_per_occurrence)}.",
             "money"),
        Rule("aggregate_below", "aggregate_limit", "min", str(requirement.min_aggregate),
             f"Aggregate limit {VALUE} is below the required {display_money(requirement.min_aggregate)}.", "money"),
        Rule("deductible_above", "deductible", "max", str(requirement.max_deductible),
             f"Deductible {VALUE} is above the allowed {display_money(requirement.max_deductible)}.", "money"),
    ]


def request_rules(requirement: Requirement) -> list[Rule]:
    """The rules a seller's quote request is warned of: what it asks for must meet the requirement."""
    return limit_rules(requirement)


def offer_rules(requirement: Requirement) -> list[Rule]:
    """The rules an insurer's offer is warned of: limits, deductible, occurrence basis, additional insured."""
    rules = limit_rules(requirement)
    if requirement.occurrence_based:
        rules.append(Rule("claims_made", "occurrence_based", "checked", None,
                          "This quote is claims-made; the requirement is an occurrence-based policy."))
    if requirement.additional_insured:
        rules.append(Rule("not_additional_insured", "additional_insured", "checked", None,
                          "This quote does not name the marketplace as additional insured."))
    return rules


def policy_rules(requirement: Requirement, today: date) -> list[Rule]:
    """The rules an uploaded policy is judged by before anybody verifies it: terms, rating, dates."""
    rules = limit_rules(requirement)
    if requirement.occurrence_based:
        rules.append(Rule("claims_made", "coverage_basis", "equals", "occurrence",
                          "This policy is claims-made; the requirement is an occurrence-based policy."))
    if requirement.additional_insured:
        rules.append(Rule("not_additional_insured", "additional_insured", "checked", None,
                          "This policy does not name the marketplace as additional insured."))
    rules.append(Rule("insurer_rating_too_low", "insurer_rating", "one_of",
                      tuple(r for r in AM_BEST_RATINGS if rating_at_least(r, requirement.min_rating)),
                      f"The insurer is rated {VALUE} by AM Best; the requirement is {requirement.min_rating} "
                      "or better."))
    rules.append(Rule("not_yet_effective", "effective_date", "on_or_before", today.isoformat(),
                      f"This policy takes effect on {VALUE}, after today ({today.isoformat()}): it is not "
                      "in force yet.", "date"))
    rules.append(Rule("expired", "expiration_date", "after", today.isoformat(),
                      f"This policy expired at 12:01 a.m. on {VALUE}, before today ({today.isoformat()}).", "date"))
    return rules


def _passes(rule: Rule, value) -> bool | None:
    """Whether `value` passes `rule`; None when there is nothing to judge (not entered, not readable)."""
    if rule.test == "checked":
        return bool(value)
    if value is None or value == "":
        return None
    try:
        if rule.test == "min":
            return Decimal(value) >= Decimal(rule.threshold)
        if rule.test == "max":
            return Decimal(value) <= Decimal(rule.threshold)
    except (InvalidOperation, TypeError, ValueError):
        return None
    if rule.test == "equals":
        return value == rule.threshold
    if rule.test == "one_of":
        return value in rule.threshold
    if not isinstance(value, date):
        return None
    if rule.test == "on_or_before":
        return value <= date.fromisoformat(rule.threshold)
    return value > date.fromisoformat(rule.threshold)


def _shown(rule: Rule, value) -> str:
    """The value as the rule's sentence shows it."""
    if rule.kind == "money":
        return display_money(Decimal(value))
    if rule.kind == "date":
        return value.isoformat()
    return str(value)


def shortfalls(rules: Iterable[Rule], values: Mapping[str, object]) -> list[Shortfall]:
    """Each rule the values fail, in the rules' order; a value missing or None is not judged."""
    found = []
    for rule in rules:
        if rule.field not in values:
            continue
        value = values[rule.field]
        if _passes(rule, value) is False:
            found.append(Shortfall(rule.field, rule.code, rule.template.replace(VALUE, _shown(rule, value))))
    return found


def excluded_requested(excluded: Iterable[str], requested: Iterable[str]) -> Shortfall | None:
    """A quote that excludes categories its request asked to cover is not shown as meeting the requirement."""
    both = sorted(set(excluded) & set(requested))
    if not both:
        return None
    names = _and_list([category_name(code) for code in both])
    return Shortfall("excluded_categories", "category_excluded",
                     f"This quote excludes {names}, which the request asked to cover: it will not be shown as "
                     "meeting the requirement.")


def _and_list(words: list[str]) -> str:
    """`a`, `a and b`, `a, b and c`."""
    return words[0] if len(words) == 1 else ", ".join(words[:-1]) + " and " + words[-1]


def unconfirmed(found: list[Shortfall], confirmed: Collection[str]) -> bool:
    """Whether any shortfall's sentence is not among those the sender confirmed."""
    return any(s.message not in confirmed for s in found)
