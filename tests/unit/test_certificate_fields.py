"""Finding a certificate's fields in positioned text and form values: labels, neighbours, phrases, evidence."""

from __future__ import annotations

from datetime import date
from decimal import Decimal

from accelerator.domain.certificate_fields import (
    FIELDS,
    Evidence,
    FormValue,
    Fragment,
    form_label,
    is_label,
    join_words,
    read_fields,
)


def at(x: float, y: float, text: str, *, page: int = 1, source: str = "text", size: float = 8) -> Fragment:
    """A fragment whose box starts at (x, y), as wide as its text."""
    return Fragment(page, source, text, x, y, x + 0.5 * size * len(text), y + size)


def lines(text: str, *, source: str = "text", x: float = 60) -> list[Fragment]:
    """A letter: one fragment a line, 14 units apart."""
    return [at(x, 60 + 14 * row, line, source=source) for row, line in enumerate(text.splitlines()) if line.strip()]


GRID = [
    at(36, 130, "INSURED"), at(36, 142, "Acme Goods LLC"), at(36, 154, "12 Commerce Street, Springfield, IL"),
    at(320, 100, "INSURER(S) AFFORDING COVERAGE"), at(530, 100, "NAIC #"),
    at(320, 112, "INSURER A : Harbor Mutual"), at(530, 112, "12345"),
    at(150, 230, "ADDL INSD", size=6), at(215, 230, "POLICY NUMBER", size=6), at(290, 230, "POLICY EFF", size=6),
    at(290, 238, "(MM/DD/YYYY)", size=5), at(350, 230, "POLICY EXP", size=6), at(350, 238, "(MM/DD/YYYY)", size=5),
    at(36, 252, "COMMERCIAL GENERAL LIABILITY", size=7), at(160, 252, "Y"), at(215, 252, "HX-1", size=7),
    at(290, 252, "01/01/2026", size=7), at(350, 252, "01/01/2027", size=7),
    at(420, 252, "EACH OCCURRENCE", size=6), at(505, 252, "$ 1,000,000"),
    at(36, 266, "[ ] OCCUR  [X] CLAIMS-MADE", size=7),
    at(420, 266, "GENERAL AGGREGATE", size=6), at(505, 266, "$ 2,000,000"),
    at(420, 280, "DED", size=6), at(505, 280, "$5,000"),
    at(36, 600, "CERTIFICATE HOLDER"), at(320, 600, "AUTHORIZED REPRESENTATIVE"),
    at(36, 612, "Marketplace Services LLC"),
]


def test_a_grid_is_read_by_its_labels_and_their_neighbours():
    reading = read_fields(GRID)
    assert reading.contract_fields() == {
        "insured_name": "Acme Goods LLC", "insurer_name": "Harbor Mutual", "naic_code": "12345",
        "policy_number": "HX-1", "effective_date": "2026-01-01", "expiration_date": "2027-01-01",
        "per_occurrence_limit": "1000000.00", "aggregate_limit": "2000000.00", "deductible": "5000.00",
        "occurrence_based": False, "additional_insured": True, "certificate_holder": "Marketplace Services LLC"}
    assert reading.evidence["policy_number"] == Evidence(1, "text", "POLICY NUMBER HX-1")
    assert reading.evidence["insurer_name"].text == "INSURER A : Harbor Mutual"
    assert reading.evidence["occurrence_based"].text == "COMMERCIAL GENERAL LIABILITY Y HX-1 01/01/2026 01/01/2027 " \
        "EACH OCCURRENCE $ 1,000,000" or reading.evidence["occurrence_based"].text.startswith("[ ] OCCUR")
    assert set(reading.evidence) == set(FIELDS)


def test_a_label_with_nothing_under_it_reads_nothing_and_no_far_neighbour():
    reading = read_fields([at(36, 600, "CERTIFICATE HOLDER"), at(320, 600, "AUTHORIZED REPRESENTATIVE"),
                           at(36, 700, "Marketplace Services LLC")])
    assert reading.values == {}


def test_a_heading_beside_a_label_is_no_value_and_the_words_under_a_label_are_taken_from_a_wider_run():
    reading = read_fields([at(36, 600, "CERTIFICATE HOLDER"), at(150, 600, "AUTHORIZED REPRESENTATIVE"),
                           at(36, 612, "Marketplace Services LLC"), at(150, 230, "ADDL INSD", size=6),
                           at(36, 250, "COMMERCIAL GENERAL LIABILITY YES")])
    assert reading.values["certificate_holder"] == "Marketplace Services LLC"
    assert reading.values["additional_insured"] is True
    assert reading.evidence["additional_insured"].text == "ADDL INSD YES"


def test_a_label_below_ends_the_search_under_a_label():
    reading = read_fields([at(36, 100, "INSURED"), at(36, 112, "POLICY NUMBER"), at(36, 124, "HX-1")])
    assert "insured_name" not in reading.values
    assert reading.values["policy_number"] == "HX-1"


def test_the_insurer_header_is_no_insurer():
    reading = read_fields([at(320, 100, "INSURER(S) AFFORDING COVERAGE"), at(320, 112, "INSURER A :")])
    assert "insurer_name" not in reading.values


PROSE = """RE: Evidence of Commercial General Liability Insurance
This is to certify that Blue Heron Candles Inc. is insured under policy number GL-2026-5521
issued by Lakeshore Indemnity Co. (NAIC 54321) for the period from January 1, 2026
to January 1, 2027. The policy is written on a claims-made basis with limits of
$1M per occurrence and $2,000,000 in the aggregate,
with a deductible of None. Main Street Market Inc. is not named as an additional insured.
This letter is issued to Main Street Market Inc. as certificate holder."""


def test_a_letter_is_read_by_its_phrases():
    reading = read_fields(lines(PROSE))
    assert reading.contract_fields() == {
        "insured_name": "Blue Heron Candles Inc.", "insurer_name": "Lakeshore Indemnity Co.", "naic_code": "54321",
        "policy_number": "GL-2026-5521", "effective_date": "2026-01-01", "expiration_date": "2027-01-01",
        "per_occurrence_limit": "1000000.00", "aggregate_limit": "2000000.00", "deductible": "0.00",
        "occurrence_based": False, "additional_insured": False, "certificate_holder": "Main Street Market Inc."}
    assert reading.evidence["expiration_date"].text == "from January 1, 2026 to January 1, 2027"
    assert reading.evidence["per_occurrence_limit"].text == "$1M per occurrence"


KEYS = """Named Insured: Acme Goods LLC
Insurance Company: Harbor Mutual
NAIC No.: 12345
Policy #: HX-1
Policy Period: 2026-01-01 - 2027-01-01
Coverage Basis: Occurrence
Limit per occurrence: 1,000,000
Annual Aggregate: USD 2,000,000
Self-Insured Retention: $2,500.00
Additional Insured Status: Yes
Certificate Holder: Marketplace Services LLC"""


def test_key_value_lines_are_read_after_their_labels_in_ocr_too():
    reading = read_fields(lines(KEYS, source="ocr"))
    assert reading.values == {
        "insured_name": "Acme Goods LLC", "insurer_name": "Harbor Mutual", "naic_code": "12345",
        "policy_number": "HX-1", "effective_date": date(2026, 1, 1), "expiration_date": date(2027, 1, 1),
        "occurrence_based": True, "per_occurrence_limit": Decimal("1000000.00"),
        "aggregate_limit": Decimal("2000000.00"), "deductible": Decimal("2500.00"), "additional_insured": True,
        "certificate_holder": "Marketplace Services LLC"}
    assert {evidence.source for evidence in reading.evidence.values()} == {"ocr"}


def test_form_fields_are_read_by_their_names_before_the_text():
    form = [FormValue(1, "EACH_OCCURRENCE_LIMIT", "$1,000,000"), FormValue(1, "PolicyNumber", "HX-9"),
            FormValue(2, "form1[0].POLICY_EFF_DATE[0]", "January 1, 2026"),
            FormValue(1, "CoverageBasis", "Claims-Made"),
            FormValue(1, "CERT_HOLDER", "Marketplace Services LLC"), FormValue(1, "Remarks", "HX-0")]
    reading = read_fields(lines("Policy Number: HX-1"), form)
    assert reading.values["policy_number"] == "HX-9"
    assert reading.values["per_occurrence_limit"] == Decimal("1000000.00")
    assert reading.values["effective_date"] == date(2026, 1, 1)
    assert reading.values["occurrence_based"] is False
    assert reading.evidence["effective_date"] == Evidence(2, "form_field", "POLICY EFF DATE: January 1, 2026")
    assert reading.evidence["policy_number"].source == "form_field"


def test_a_form_value_that_does_not_parse_leaves_the_field_to_the_text():
    reading = read_fields(lines("Policy Number: HX-1"), [FormValue(1, "PolicyNumber", "see attached")])
    assert reading.values["policy_number"] == "HX-1"
    assert reading.evidence["policy_number"].source == "text"


def test_the_first_value_read_wins():
    reading = read_fields(lines("Policy Number: HX-1\nPolicy Number: HX-2"))
    assert reading.values["policy_number"] == "HX-1"


def test_nothing_read_from_nothing_or_another_language():
    assert read_fields([]).contract_fields() == dict.fromkeys(FIELDS)
    french = lines("Assuré : Société Acme\nAssureur : Mutuelle du Port\nMontant par sinistre : 1 000 000 €")
    assert read_fields(french).values == {}


def test_form_names_read_as_words():
    assert form_label("GeneralAggregate_Limit[0]") == "General Aggregate Limit"
    assert form_label("topmostSubform[0].Page1[0].NAIC_CODE[0]") == "NAIC CODE"
    assert is_label("Each Occurrence Limit") and is_label("POLICY EFF (MM/DD/YYYY)")
    assert is_label("AUTHORIZED REPRESENTATIVE") and is_label("INSURER(S) AFFORDING COVERAGE")
    assert not is_label("Acme Goods LLC") and not is_label("Limited Brands Inc.")


def test_words_shown_one_by_one_are_joined_into_a_label_and_cells_stay_apart():
    words = [at(420, 252, "EACH", size=6), at(435, 252, "OCCURRENCE", size=6), at(505, 252, "$"),
             at(511, 252, "1,000,000"), at(36, 252, "P"), at(40, 252, "OLICY", size=8)]
    joined = join_words(words)
    assert sorted(f.text for f in joined) == ["$ 1,000,000", "EACH OCCURRENCE", "POLICY"]
    assert read_fields(words).values["per_occurrence_limit"] == Decimal("1000000.00")


def test_words_on_other_lines_pages_or_sources_are_not_joined():
    words = [at(36, 100, "Policy"), at(62, 112, "Number"), at(62, 100, "No.", page=2),
             at(62, 100, "HX-1", source="ocr")]
    assert len(join_words(words)) == 4
