"""The fields of a certificate of insurance (ACORD 25 or a letter of evidence) read from positioned text.

Pure: the reader (services.certificate_reading) turns a PDF into fragments (a run of words with its page,
its source and its box, y growing downwards) and form values; this module finds the fields in them, in
three ways, the first that gives a value winning:

1. a filled form's fields, by their names (`EACH_OCCURRENCE`, `PolicyNumber`);
2. a label and its value: after the label in the same fragment, in the fragment to its right, or
   in the fragments below it (a grid's column header over its cell, the INSURED box over the name);
3. phrases of a letter (`$1,000,000 per occurrence`, `from January 1, 2026 to January 1, 2027`).

Labels vary between agencies' systems, so each field has several; every value comes with its evidence.
"""

from __future__ import annotations

import re
from collections.abc import Callable, Iterable
from dataclasses import dataclass, field
from datetime import date
from decimal import Decimal

from accelerator.domain import certificate_values as values
from accelerator.domain.money import format_money

FIELDS = ("insured_name", "insurer_name", "naic_code", "policy_number", "effective_date", "expiration_date",
          "per_occurrence_limit", "aggregate_limit", "deductible", "occurrence_based", "additional_insured",
          "certificate_holder")
SOURCES = ("form_field", "text", "ocr")

PARSERS: dict[str, Callable[[str], object]] = {
    "insured_name": values.parse_name, "insurer_name": values.parse_name, "naic_code": values.parse_naic,
    "policy_number": values.parse_policy_number, "effective_date": values.parse_date,
    "expiration_date": values.parse_date, "per_occurrence_limit": values.parse_money,
    "aggregate_limit": values.parse_money, "deductible": values.parse_money,
    "occurrence_based": values.parse_basis, "additional_insured": values.parse_yes_no,
    "certificate_holder": values.parse_name,
}
_FORMAT = r"(?:\s*\(?mm/dd/?yyyy\)?)?"
# Each field's labels, as they start a fragment (case and spacing ignored); the value follows the label.
LABELS: dict[str, tuple[str, ...]] = {
    "insured_name": (r"(?:named\s+)?insured(?:'s)?(?:\s+name)?", r"name\s+of\s+insured", r"policyholder"),
    "insurer_name": (r"insurer(?:\s+[a-f](?![a-z]))?(?:\s+name)?", r"insurance\s+company", r"(?:insurance\s+)?carrier",
                     r"company\s+affording\s+coverage", r"underwriter", r"issuing\s+company"),
    "naic_code": (r"naic(?:\s*(?:#|no\.?|code|number))?",),
    "policy_number": (r"policy\s*(?:number|no\.?|#|num\.?)", r"policy(?=\s*$)", r"pol(?:icy)?\s*#",
                      r"certificate\s+of\s+policy\s+no\.?"),
    "effective_date": (r"(?:policy\s+)?eff(?:ective)?\.?(?:\s+date)?" + _FORMAT, r"inception(?:\s+date)?",
                       r"(?:coverage\s+)?start\s+date", r"coverage\s+begins", r"period\s+from"),
    "expiration_date": (r"(?:policy\s+)?exp(?:iration|iry|ires)?\.?(?:\s+date)?" + _FORMAT,
                        r"(?:coverage\s+)?end\s+date", r"coverage\s+ends", r"period\s+to"),
    "per_occurrence_limit": (r"each\s+occ(?:urrence|\.)?(?:\s+limit)?", r"per\s+occurrence(?:\s+limit)?",
                             r"occurrence\s+limit", r"limit\s+per\s+occurrence", r"any\s+one\s+occurrence"),
    "aggregate_limit": (r"gen(?:eral|'l|\.)?\s+agg(?:regate|\.)?(?:\s+limit)?",
                        r"(?:annual\s+|policy\s+)?aggregate(?:\s+limit)?"),
    "deductible": (r"deductible(?:\s+amount)?", r"ded\.?", r"self[\s-]insured\s+retention", r"retention"),
    "occurrence_based": (r"coverage\s+(?:basis|form|trigger)", r"policy\s+(?:form|basis)", r"basis", r"trigger"),
    "additional_insured": (r"add(?:itiona)?['’]?[li1!|’]?\.?\s+ins(?:ure)?d\.?", r"additional\s+insured(?:\s+status)?"),
    "certificate_holder": (r"cert(?:ificate|\.)?\s+holder(?:\s+name)?", r"holder"),
}
_LABEL_RES = {name: [re.compile(r"^\s*(?:" + label + r")(?![a-z(])\s*[:#.\-]*\s*", re.IGNORECASE)
                     for label in labels] for name, labels in LABELS.items()}
# The fixed headings of an ACORD 25 that are no field's label: never a value either.
_HEADINGS = re.compile(r"^\W*(?:authori[sz]ed\s+representative|producer|insurer\(s\)\s+affording|coverages|"
                       r"type\s+of\s+insurance|limits|description\s+of\s+operations|cancellation|contact\s+name|"
                       r"phone|e-?mail|address|revision\s+number|certificate\s+number)\b", re.IGNORECASE)
_DATE, _MONEY = values.DATE_PATTERN, values.MONEY_PATTERN
_PERIOD = re.compile(r"(?:from|between|period\s+of|period\s*:|effective)\s+(?P<a>" + _DATE + r")\s*"
                     r"(?:to|through|until|and|-|–)\s*(?P<b>" + _DATE + ")", re.IGNORECASE)
_ADDITIONAL = re.compile(r"\b(?:is|are|has\s+been|have\s+been)\s+(?P<neg>not\s+)?(?:been\s+)?(?:included|named|added|"
                         r"endorsed|listed|designated)?\s*(?:as\s+)?(?:an?\s+)?additional\s+insureds?", re.IGNORECASE)
# Where a name in a phrase ends: a bracket, a comma, a full stop that ends no abbreviation, a joining word.
_NAME_END = (r"(?=\s*\(|\s+NAIC|,\s|(?<!\bInc)(?<!\bCo)(?<!\bLtd)(?<!\bCorp)\.(?:\s|$)"
             r"|\s+(?:under|for|and|with|is|at|as)\b|\n|$)")
# Phrases of a letter: (field, pattern); the group `v` holds the value's words.
_PHRASES = (
    ("insured_name", r"certif(?:y|ies)\s+that\s+(?P<v>[A-Z][^\n]*?)" + r"(?=\s+(?:is|are|has|holds)\b|,\s)"),
    ("insurer_name", r"(?:issued|underwritten|written|provided|insured)\s+by\s+"
                     r"(?P<v>[A-Z][A-Za-z&.,' -]*?)" + _NAME_END),
    ("naic_code", r"NAIC\s*(?:#|no\.?|code|number)?\s*:?\s*(?P<v>\d{5})\b"),
    ("policy_number", r"policy\s+(?:number|no\.?|#)\s*:?\s*(?P<v>[A-Z0-9][A-Z0-9./-]*\d[A-Z0-9./-]*)"),
    ("effective_date", r"(?:effective|begins|beginning|incepting)\s+(?:on\s+|from\s+)?(?P<v>" + _DATE + ")"),
    ("expiration_date", r"(?:expires|expiring|expiration|ends|ending)\s+(?:on\s+|date\s+)?(?P<v>" + _DATE + ")"),
    ("per_occurrence_limit", r"(?P<v>" + _MONEY + r")\s+(?:for\s+)?(?:each|per|any\s+one)\s+occurrence"),
    ("aggregate_limit", r"(?P<v>" + _MONEY + r")\s+(?:in\s+the\s+|general\s+|annual\s+|policy\s+)?aggregate"),
    ("deductible", r"deductible\s+(?:of\s+|is\s+|amount\s+)?(?P<v>" + _MONEY + r"|none|nil)"),
    ("deductible", r"(?P<v>" + _MONEY + r")\s+deductible"),
    ("occurrence_based", r"(?P<v>occurrence|claims[\s-]made)\s+(?:basis|form|policy|coverage|trigger)"),
    ("occurrence_based", r"(?:on|written\s+on)\s+an?\s+(?P<v>occurrence|claims[\s-]made)"),
    ("certificate_holder", r"(?:certificate|letter|evidence)\s+(?:is\s+)?(?:issued|provided|addressed)\s+to\s+"
                           r"(?P<v>[A-Z][A-Za-z&.,' -]*?)" + _NAME_END),
)
PHRASES = tuple((name, re.compile(pattern, re.IGNORECASE | re.MULTILINE)) for name, pattern in _PHRASES)


@dataclass(frozen=True)
class Fragment:
    """A run of words on a page as the reader found it: its box in points or pixels, y growing downwards."""

    page: int
    source: str
    text: str
    x0: float
    top: float
    x1: float
    bottom: float

    @property
    def height(self) -> float:
        """The fragment's height, at least one unit."""
        return max(self.bottom - self.top, 1.0)


@dataclass(frozen=True)
class FormValue:
    """One filled field of a PDF form: its page, its name (or tooltip) and its value."""

    page: int
    name: str
    value: str


@dataclass(frozen=True)
class Evidence:
    """Where a field was read: the page (from 1), the source (`form_field`, `text`, `ocr`) and the words."""

    page: int
    source: str
    text: str

    def as_contract(self) -> dict:
        """The contract's evidence object."""
        return {"page": self.page, "source": self.source, "text": self.text}


@dataclass
class FieldReading:
    """The fields read (absent where nothing was read) and each one's evidence."""

    values: dict[str, object] = field(default_factory=dict)
    evidence: dict[str, Evidence] = field(default_factory=dict)

    def put(self, name: str, value: object, evidence: Evidence) -> None:
        """Keep the first value read for a field."""
        if name not in self.values and value is not None:
            self.values[name] = value
            self.evidence[name] = evidence

    def contract_fields(self) -> dict:
        """Every field in the contract's formats, null where it was not read."""
        return {name: contract_value(self.values.get(name)) for name in FIELDS}


def contract_value(value: object) -> object:
    """A field's value in the contract's format: money `"1000000.00"`, dates `"2026-01-01"`."""
    if isinstance(value, Decimal):
        return format_money(value)
    if isinstance(value, date):
        return value.isoformat()
    return value


def tidy(text: str) -> str:
    """Spacing collapsed: the words as evidence shows them."""
    return re.sub(r"\s+", " ", text).strip()


def label_match(name: str, text: str) -> re.Match | None:
    """The longest match of the field's labels at the start of `text`, or None."""
    matches = [match for pattern in _LABEL_RES[name] if (match := pattern.match(text))]
    return max(matches, key=lambda match: match.end(), default=None)


def is_label(text: str) -> bool:
    """Whether `text` starts with any field's label or a form's fixed heading (so it is no value)."""
    return bool(_HEADINGS.match(text)) or any(label_match(name, text) for name in FIELDS)


def form_label(name: str) -> str:
    """A form field's name as words: `GeneralAggregate_Limit[0]` reads `General Aggregate Limit`."""
    name = re.sub(r"\[\d+\]", "", name.rsplit(".", 1)[-1])
    name = re.sub(r"(?<=[a-z])(?=[A-Z])", " ", name)
    return tidy(re.sub(r"[_\-]+", " ", name))


def join_words(fragments: Iterable[Fragment]) -> list[Fragment]:
    """Runs of words on one line joined where the gap is narrower than the text is high: some PDF writers
    show each word (or letter) on its own, and a label must be read whole ("EACH" "OCCURRENCE")."""
    joined: list[Fragment] = []
    for fragment in sorted(fragments, key=lambda f: (f.page, round(f.bottom), f.x0)):
        last = joined[-1] if joined else None
        if (last and last.page == fragment.page and last.source == fragment.source
                and abs(last.bottom - fragment.bottom) < 0.3 * last.height
                and -0.5 * last.height < fragment.x0 - last.x1 < 0.9 * min(last.height, fragment.height)):
            space = "" if fragment.x0 - last.x1 < 0.1 * last.height else " "
            joined[-1] = Fragment(last.page, last.source, last.text + space + fragment.text, last.x0,
                                  min(last.top, fragment.top), max(last.x1, fragment.x1),
                                  max(last.bottom, fragment.bottom))
        else:
            joined.append(fragment)
    return joined


def read_fields(fragments: Iterable[Fragment], form_values: Iterable[FormValue] = ()) -> FieldReading:
    """The certificate's fields and their evidence from its form values and positioned text."""
    reading = FieldReading()
    for form_value in form_values:
        label = form_label(form_value.name)
        for name in FIELDS:
            match = label_match(name, label)
            if match and match.end() >= len(label):
                parsed = PARSERS[name](form_value.value)
                reading.put(name, parsed, Evidence(form_value.page, "form_field", tidy(f"{label}: {form_value.value}")))
                if parsed is not None:
                    break
    ordered = sorted(join_words(fragments), key=lambda f: (f.page, round(f.top), f.x0))
    for name in FIELDS:
        if name not in reading.values:
            _read_by_label(reading, name, ordered)
    _read_checkboxes(reading, ordered)
    _read_phrases(reading, ordered)
    return reading


def _read_by_label(reading: FieldReading, name: str, ordered: list[Fragment]) -> None:
    """The field's value next to one of its labels: in the fragment, to its right, or below it."""
    for index, label in enumerate(ordered):
        match = label_match(name, label.text)
        if not match:
            continue
        rest = label.text[match.end():].strip()
        # A label to the right is another column's header (skipped); a label below ends the label's box.
        candidates = [(rest, True)] if rest else []
        candidates += [(f.text, False) for f in _right_of(label, ordered, index)]
        for below in _below(label, ordered, index):
            candidates += [(below.text, True), (_column_words(below, label), True)]
        for candidate, stop_at_label in candidates:
            if is_label(candidate):
                if stop_at_label:
                    break
                continue
            value = PARSERS[name](candidate)
            if value is not None:
                words = label.text if candidate == rest else f"{label.text} {candidate}"
                reading.put(name, value, Evidence(label.page, label.source, tidy(words)))
                return


def _right_of(label: Fragment, ordered: list[Fragment], index: int) -> list[Fragment]:
    """The nearest fragment on the label's row, to its right."""
    middle = (label.top + label.bottom) / 2
    row = [f for f in ordered[max(0, index - 40): index + 40] if f.page == label.page and f is not label
           and f.top <= middle <= f.bottom and label.x1 - label.height <= f.x0 <= label.x1 + 20 * label.height]
    return sorted(row, key=lambda f: f.x0)[:1]


def _below(label: Fragment, ordered: list[Fragment], index: int) -> list[Fragment]:
    """The fragments under the label (their boxes overlap its column), nearest first, within a few lines."""
    slack = label.height
    below = [f for f in ordered[index + 1: index + 200] if f.page == label.page
             and label.bottom - slack / 2 <= f.top <= label.bottom + 5 * slack
             and f.x0 < label.x1 + slack and f.x1 > label.x0 - slack and f.top > label.top]
    return sorted(below, key=lambda f: (f.top, abs(f.x0 - label.x0)))[:3]


def _column_words(fragment: Fragment, label: Fragment) -> str:
    """The words of a wider fragment that lie under the label (OCR runs neighbouring cells together), their
    places estimated from their share of the fragment's characters."""
    words, found, offset = fragment.text.split(), [], 0
    width = (fragment.x1 - fragment.x0) / max(len(fragment.text), 1)
    for word in words:
        start = fragment.x0 + offset * width
        middle = start + len(word) * width / 2
        if label.x0 - label.height <= middle <= label.x1 + label.height:
            found.append(word)
        offset += len(word) + 1
    return " ".join(found)


def _rows(ordered: list[Fragment]) -> list[list[Fragment]]:
    """Fragments grouped into rows: same page, overlapping heights; each row left to right."""
    rows: list[list[Fragment]] = []
    for fragment in ordered:
        middle = (fragment.top + fragment.bottom) / 2
        if rows and rows[-1][0].page == fragment.page and rows[-1][0].top <= middle <= rows[-1][0].bottom:
            rows[-1].append(fragment)
        else:
            rows.append([fragment])
    return [sorted(row, key=lambda f: f.x0) for row in rows]


def _read_checkboxes(reading: FieldReading, ordered: list[Fragment]) -> None:
    """The occurrence basis from a row of ticked boxes (`[X] OCCUR  [ ] CLAIMS-MADE`)."""
    for row in _rows(ordered):
        text = " ".join(f.text for f in row)
        if re.search(values.BOX + r"\s*(?:occur|claims)", text, re.IGNORECASE):
            value = values.parse_basis(text)
            if value is not None:
                reading.put("occurrence_based", value, Evidence(row[0].page, row[0].source, tidy(text)))
                return


def _read_phrases(reading: FieldReading, ordered: list[Fragment]) -> None:
    """Fields written as a letter's phrases, page by page."""
    for page, source, text in _page_texts(ordered):
        for match in _PERIOD.finditer(text):
            evidence = Evidence(page, source, tidy(match.group(0)))
            reading.put("effective_date", values.parse_date(match.group("a")), evidence)
            reading.put("expiration_date", values.parse_date(match.group("b")), evidence)
        for name, pattern in PHRASES:
            for match in pattern.finditer(text):
                if name not in reading.values:
                    reading.put(name, PARSERS[name](match.group("v")), Evidence(page, source, tidy(match.group(0))))
        if "additional_insured" not in reading.values:
            match = _ADDITIONAL.search(text)
            if match:
                reading.put("additional_insured", not match.group("neg"), Evidence(page, source, tidy(match.group(0))))


def _page_texts(ordered: list[Fragment]) -> list[tuple[int, str, str]]:
    """Each page's text, a row a line: (page, source, text)."""
    pages: dict[int, tuple[str, list[str]]] = {}
    for row in _rows(ordered):
        pages.setdefault(row[0].page, (row[0].source, []))[1].append(" ".join(f.text for f in row))
    return [(page, source, "\n".join(lines)) for page, (source, lines) in sorted(pages.items())]
