"""The values printed on a certificate of insurance, as agencies' systems write them, parsed into the
contract's types: money, dates, NAIC codes, policy numbers, names, the occurrence basis and the
additional-insured answer. Every parser returns None for text that is not such a value (never raises):
a reader tries many candidates and keeps the first that parses.
"""

from __future__ import annotations

import re
from datetime import date
from decimal import Decimal

from accelerator.domain.money import MAX_MONEY, to_money

MONTHS = {name: number for number, names in enumerate((
    ("january", "jan"), ("february", "feb"), ("march", "mar"), ("april", "apr"), ("may",), ("june", "jun"),
    ("july", "jul"), ("august", "aug"), ("september", "sep", "sept"), ("october", "oct"),
    ("november", "nov"), ("december", "dec")), start=1) for name in names}
_MONTH = r"(?P<month>" + "|".join(sorted(MONTHS, key=len, reverse=True)) + r")\.?"
DATE_PATTERN = (r"(?:\d{1,2}[/.-]\d{1,2}[/.-]\d{4}|\d{4}-\d{2}-\d{2}|"
                r"(?:jan|feb|mar|apr|may|jun|jul|aug|sep|oct|nov|dec)[a-z]*\.?\s+\d{1,2}(?:st|nd|rd|th)?,?\s+\d{4}|"
                r"\d{1,2}(?:st|nd|rd|th)?\s+(?:jan|feb|mar|apr|may|jun|jul|aug|sep|oct|nov|dec)[a-z]*\.?,?\s+\d{4})")
_US = re.compile(r"(?P<m>\d{1,2})[/.-](?P<d>\d{1,2})[/.-](?P<y>\d{4})")
_ISO = re.compile(r"(?P<y>\d{4})-(?P<m>\d{2})-(?P<d>\d{2})")
_WORDS_MDY = re.compile(_MONTH + r"\s+(?P<d>\d{1,2})(?:st|nd|rd|th)?,?\s+(?P<y>\d{4})", re.IGNORECASE)
_WORDS_DMY = re.compile(r"(?P<d>\d{1,2})(?:st|nd|rd|th)?\s+" + _MONTH + r",?\s+(?P<y>\d{4})", re.IGNORECASE)

# "$1,000,000", "1,000,000.00", "USD 1000000", "$1M", "$1 million", "2MM"; OCR reads "$" as "S" at times.
MONEY_PATTERN = (r"(?:(?:usd|us\$|\$|s(?=\s?\d))\s?)?\d[\d,. ]*\d(?:\s?(?:mm|m|k|million|thousand)\b)?"
                 r"|(?:(?:usd|\$)\s?)?\d(?:\s?(?:mm|m|k|million|thousand)\b)?")
_MONEY = re.compile(r"^(?:usd|us\$|\$|s(?=\s?\d))?\s?(?P<n>\d[\d,. ]*)\s?(?P<unit>mm|m|k|million|thousand)?$",
                    re.IGNORECASE)
_UNITS = {None: 1, "k": 1_000, "thousand": 1_000, "m": 1_000_000, "mm": 1_000_000, "million": 1_000_000}
# A checkbox as printed or as OCR reads it ("[X]", "[X}", "(x)", "☒"); ticked, or either.
TICKED = r"(?:[\[({]\s*[x✓]{1,2}\s*[\])}]|☒|\bx\b)"
BOX = r"(?:[\[({]\s*[x✓]{0,2}\s*[\])}]|☐|☒)"
_NONE_WORDS = re.compile(r"^(?:none|nil|n/?a|zero|-+)$", re.IGNORECASE)
_ABBREVIATION = re.compile(r"(?:\b(?:inc|co|corp|ltd|bros|jr|sr|assn|intl|mfg)|\.\w)\.$", re.IGNORECASE)
_NAIC = re.compile(r"^(?:naic\s*(?:#|no\.?|code)?\s*:?\s*)?(?P<code>\d{5})$", re.IGNORECASE)
_POLICY_NUMBER = re.compile(r"[A-Z0-9][A-Z0-9./-]{1,39}", re.IGNORECASE)
_YES = re.compile(r"^(?:y|yes|x|\[x\]|included|covered|true|ai)$", re.IGNORECASE)
_NO = re.compile(r"^(?:n|no|none|not included|excluded|false|\[ \]|\[\])$", re.IGNORECASE)


def parse_money(text: str) -> Decimal | None:
    """An amount of dollars as printed (`$1,000,000`, `1,000,000.00`, `$1M`, `None` for a deductible)."""
    text = text.strip().rstrip(".;")
    if _NONE_WORDS.match(text):
        return to_money(0)
    match = _MONEY.match(text)
    if not match:
        return None
    number = match.group("n").replace(" ", "")
    unit = _UNITS[(match.group("unit") or "").lower() or None]
    if unit != 1:  # "$1M", "$1.5 million"
        if not re.fullmatch(r"\d+(?:\.\d+)?", number):
            return None
        amount = Decimal(number) * unit
    else:
        # Thousands grouped by "," (or "." where OCR misreads a comma), in groups of three digits.
        grouped = re.fullmatch(r"(\d{1,3}(?:[.,]\d{3})*|\d+)(?:[.,](\d{2}))?", number)
        if not grouped:
            return None
        amount = Decimal(re.sub(r"[.,]", "", grouped.group(1))) + Decimal(grouped.group(2) or 0) / 100
    amount = to_money(amount)
    return amount if amount <= MAX_MONEY else None


def parse_date(text: str) -> date | None:
    """A date as printed: `01/01/2026` (US order), `2026-01-01`, `January 1, 2026`, `1 Jan 2026`."""
    text = text.strip().rstrip(".;,")
    if not re.search(r"[a-z]", text, re.IGNORECASE):
        text = re.sub(r"\s+", "", text)  # OCR splits "01/1 2/2026"
    for pattern in (_ISO, _US):
        match = pattern.fullmatch(text)
        if match:
            return _date(match.group("y"), match.group("m"), match.group("d"))
    for pattern in (_WORDS_MDY, _WORDS_DMY):
        match = pattern.fullmatch(text)
        if match:
            return _date(match.group("y"), MONTHS[match.group("month").lower()], match.group("d"))
    return None


def _date(year: object, month: object, day: object) -> date | None:
    """The date, or None when the numbers name no day."""
    try:
        return date(int(year), int(month), int(day))
    except ValueError:
        return None


def parse_naic(text: str) -> str | None:
    """A NAIC company code: exactly five digits (`NAIC # 12345` gives `12345`)."""
    match = _NAIC.match(text.strip())
    return match.group("code") if match else None


def parse_policy_number(text: str) -> str | None:
    """A policy number: one token of letters, digits and `-./`, holding at least one digit."""
    text = text.strip().strip(":#").strip()
    match = _POLICY_NUMBER.fullmatch(text)
    if not match or not re.search(r"\d", text):
        return None
    return text.rstrip(".")


def parse_name(text: str) -> str | None:
    """A person's or company's name: up to 120 characters holding three letters or more, its spacing tidied."""
    text = re.sub(r"\s+", " ", text).strip(" :;,-'\"“”‘’|")
    # A full stop ends an abbreviation ("Inc.", "L.L.C."); after a whole word it is a speck or a sentence's end.
    if text.endswith(".") and not _ABBREVIATION.search(text):
        text = text[:-1]
    if len(text) > 120 or sum(char.isalpha() for char in text) < 3:
        return None
    return text


def parse_basis(text: str) -> bool | None:
    """Occurrence (True) or claims-made (False) from a checkbox line or words about the form."""
    text = text.lower()
    claims = re.search(TICKED + r"\s*claims[\s-]*made", text)
    occurrence = re.search(TICKED + r"\s*occur", text)
    if claims and not occurrence:
        return False
    if occurrence and not claims:
        return True
    if claims or re.search(BOX, text):
        return None  # both ticked, or neither: nothing to read
    if re.search(r"claims[\s-]*made", text):
        return False
    if re.search(r"\boccurrence\b|\boccur\b", text):
        return True
    return None


def parse_yes_no(text: str) -> bool | None:
    """A yes/no answer as a form prints it (`Y`, `Yes`, `X`, `N`, `No`, `Included`)."""
    text = text.strip().strip(":.").strip()
    if _YES.match(text):
        return True
    if _NO.match(text):
        return False
    return None
