"""The seller's forms: business profile, quote request, buying a quote, uploading a policy and asking for a
new certificate.

They check shape (a money amount, a date, a choice from the list); the rules that need other records
stay in the services, whose per-field messages `show_domain_error` puts back on these forms.
"""

from __future__ import annotations

from datetime import date, timedelta
from decimal import Decimal

from flask_wtf.file import FileField, FileRequired, MultipleFileField
from wtforms import BooleanField, DateField, IntegerField, SelectField, StringField, TextAreaField
from wtforms.validators import DataRequired, InputRequired, Length, NumberRange, Optional, Regexp
from wtforms.validators import ValidationError as FieldError
from wtforms.widgets import HiddenInput

from accelerator import clock
from accelerator.domain.categories import CATEGORIES
from accelerator.domain.claim_case_input import MAX_REASON
from accelerator.domain.states import STATES
from accelerator.domain.values import AM_BEST_RATINGS, POLICY_NUMBER, parse_date
from accelerator.services.claim_evidence import Upload
from accelerator.services.policies import term_errors
from accelerator.services.quotes import QuoteRequestData
from accelerator.services.sellers import ProfileData
from accelerator.services.uploads import UploadedPolicy
from accelerator.web.forms import BaseForm, CheckboxesField, MoneyField, add_rule_errors, choices, strip

# Sensible asks that meet the marketplace's default requirement ($1M / $1M, deductible at most $10,000).
DEFAULT_PER_OCCURRENCE = Decimal("1000000.00")
DEFAULT_AGGREGATE = Decimal("2000000.00")
DEFAULT_DEDUCTIBLE = Decimal("1000.00")
MAX_START_DAYS = 365
MAX_TOP_PRODUCTS = 2000
STATE_CHOICES = choices(STATES, "Choose a state")
OUTSIDE_INSURER = "outside"


class DayField(DateField):
    """A calendar date typed as YYYY-MM-DD (a date input in browsers), within the contract's range."""

    def process_formdata(self, valuelist):
        """Parse the date; a bad one becomes this field's error."""
        self.data = None
        if not valuelist or not (valuelist[0] or "").strip():
            return
        try:
            self.data = parse_date(valuelist[0].strip())
        except ValueError as exc:
            raise ValueError(f"This date {exc}.") from exc


class ProfileForm(BaseForm):
    """A seller's business profile (the seller ID is fixed at registration and only shown)."""

    legal_name = StringField("Legal business name", filters=[strip], validators=[
        DataRequired("Enter your legal business name."), Length(max=200)])
    state = SelectField("State where the business is registered", choices=STATE_CHOICES, default="",
                        validators=[DataRequired("Choose a state.")])
    categories = CheckboxesField("Categories you sell", choices=choices(CATEGORIES), default=list,
                                 validators=[DataRequired("Choose at least one category.")])
    monthly_gross_sales = MoneyField("Gross sales in a recent month", allow_zero=True,
                                     validators=[InputRequired("Enter your gross sales of a recent month.")])

    def to_data(self) -> ProfileData:
        """The service's input."""
        return ProfileData(legal_name=self.legal_name.data or "", state=self.state.data or "",
                           categories=tuple(self.categories.data or ()),
                           monthly_gross_sales=self.monthly_gross_sales.data)


class QuoteRequestForm(BaseForm):
    """Ask once: everything the insurers need to quote."""

    legal_name = StringField("Legal business name", filters=[strip], validators=[
        DataRequired("Enter your legal business name."), Length(max=200)])
    state = SelectField("State where the business is registered", choices=STATE_CHOICES, default="",
                        validators=[DataRequired("Choose a state.")])
    categories = CheckboxesField("Product categories to cover", choices=choices(CATEGORIES), default=list,
                                 validators=[DataRequired("Choose at least one category.")])
    annual_revenue = MoneyField("Annual revenue", validators=[InputRequired("Enter your annual revenue.")])
    top_products = TextAreaField("Your top products", filters=[strip], validators=[
        Length(max=MAX_TOP_PRODUCTS, message=f"Use at most {MAX_TOP_PRODUCTS:,} characters.")])
    states_shipped = CheckboxesField("States you ship to", choices=choices(STATES), default=list)
    claims_last_3_years = IntegerField("Product-liability claims in the last three years", default=0,
                                       validators=[InputRequired("Enter a number (0 if none)."),
                                                   NumberRange(0, 999, "Enter a number from 0 to 999.")])
    per_occurrence_limit = MoneyField("Per-occurrence limit", default=DEFAULT_PER_OCCURRENCE,
                                      validators=[InputRequired("Enter the per-occurrence limit you want.")])
    aggregate_limit = MoneyField("Aggregate limit", default=DEFAULT_AGGREGATE,
                                 validators=[InputRequired("Enter the aggregate limit you want.")])
    deductible = MoneyField("Deductible", allow_zero=True, default=DEFAULT_DEDUCTIBLE,
                            validators=[InputRequired("Enter the deductible you want (0 for none).")])
    desired_start_date = DayField("Desired start date", validators=[InputRequired("Enter a start date.")])
    accepts_below_minimum_rating = BooleanField(
        "Also ask insurers rated below the marketplace's minimum AM Best rating", default=False)

    def __init__(self, *args, today: date | None = None, **kwargs):
        """`today` decides which start dates are allowed (today up to a year ahead)."""
        super().__init__(*args, **kwargs)
        self.today = today or clock.now().date()

    def validate_desired_start_date(self, field) -> None:
        """Cover cannot start in the past, nor more than a year ahead."""
        if field.data is None:
            return
        if field.data < self.today:
            raise FieldError("The start date cannot be in the past.")
        if field.data > self.today + timedelta(days=MAX_START_DAYS):
            raise FieldError("The start date must be within a year from today.")

    def validate(self, extra_validators=None) -> bool:
        """Every field's check and, in the same pass, the rules between the limits and the deductible."""
        ok = super().validate(extra_validators)
        return not add_rule_errors(self, term_errors(
            effective_date=None, expiration_date=None, per_occurrence_limit=self.per_occurrence_limit.data,
            aggregate_limit=self.aggregate_limit.data, deductible=self.deductible.data)) and ok

    def fill(self, values) -> None:
        """Start from prefilled values (a dataclass whose fields are named as this form's, e.g. a renewal's)."""
        for name, value in vars(values).items():
            field = self._fields.get(name)
            if field is not None:
                field.data = list(value) if isinstance(value, tuple) else value

    def to_data(self) -> QuoteRequestData:
        """The service's input."""
        return QuoteRequestData(
            legal_name=self.legal_name.data or "", state=self.state.data or "",
            categories=tuple(self.categories.data or ()), annual_revenue=self.annual_revenue.data,
            per_occurrence_limit=self.per_occurrence_limit.data, aggregate_limit=self.aggregate_limit.data,
            deductible=self.deductible.data, desired_start_date=self.desired_start_date.data,
            top_products=self.top_products.data or "", states_shipped=tuple(self.states_shipped.data or ()),
            claims_last_3_years=self.claims_last_3_years.data or 0,
            accepts_below_minimum_rating=bool(self.accepts_below_minimum_rating.data),
        )


class UploadPolicyForm(BaseForm):
    """A policy bought elsewhere: its insurer, terms and certificate PDF."""

    insurer_id = SelectField("Insurer", default="", validators=[DataRequired("Choose the insurer.")])
    insurer_name = StringField("Insurer's name", filters=[strip], validators=[Optional(), Length(max=200)])
    insurer_naic_code = StringField("Insurer's NAIC company code", filters=[strip], validators=[
        Optional(), Regexp(r"^[0-9]{5}$", message="An NAIC company code is five digits.")])
    insurer_rating = SelectField("Insurer's AM Best rating",
                                 choices=choices(((r, r) for r in AM_BEST_RATINGS), "Choose a rating"), default="")
    policy_number = StringField("Policy number", filters=[strip], validators=[
        DataRequired("Enter the policy number."),
        Regexp(POLICY_NUMBER.pattern, message="Use 1 to 64 characters of A-Z a-z 0-9 - _ . starting with a "
                                              "letter or digit, as on your certificate.")])
    effective_date = DayField("Effective date", validators=[InputRequired("Enter the effective date.")])
    expiration_date = DayField("Expiration date", validators=[InputRequired("Enter the expiration date.")])
    per_occurrence_limit = MoneyField("Each occurrence limit",
                                      validators=[InputRequired("Enter the per-occurrence limit.")])
    aggregate_limit = MoneyField("Products-completed operations aggregate limit",
                                 validators=[InputRequired("Enter the aggregate limit.")])
    deductible = MoneyField("Deductible", allow_zero=True,
                            validators=[InputRequired("Enter the deductible (0 for none).")])
    coverage_basis = SelectField("Coverage basis", default="occurrence", choices=choices((
        ("occurrence", "Occurrence"), ("claims_made", "Claims-made"))),
        validators=[DataRequired("Choose the coverage basis.")])
    additional_insured = BooleanField("The policy names the marketplace as additional insured")
    excluded_categories = CheckboxesField("Excluded product categories", choices=choices(CATEGORIES), default=list)
    certificate = FileField("Certificate of insurance (PDF)",
                            validators=[FileRequired("Choose the PDF of your certificate of insurance.")])

    def set_insurers(self, insurers) -> None:
        """Offer the Accelerator's approved insurers, then "not listed"; keep their ratings for the page."""
        self.insurer_ratings = {str(i.id): i.am_best_rating for i in insurers}
        self.insurer_id.choices = choices(
            [(str(i.id), f"{i.name} (NAIC {i.naic_code}, AM Best {i.am_best_rating})") for i in insurers]
            + [(OUTSIDE_INSURER, "An insurer not listed here")], "Choose the insurer")

    def validate(self, extra_validators=None) -> bool:
        """Field checks and, in the same pass, the rules between dates and amounts, and an outside
        insurer's name, NAIC code and rating."""
        ok = super().validate(extra_validators)
        if add_rule_errors(self, term_errors(
                effective_date=self.effective_date.data, expiration_date=self.expiration_date.data,
                per_occurrence_limit=self.per_occurrence_limit.data, aggregate_limit=self.aggregate_limit.data,
                deductible=self.deductible.data)):
            ok = False
        if self.insurer_id.data == OUTSIDE_INSURER:
            for field, message in ((self.insurer_name, "Enter the insurer's name."),
                                   (self.insurer_naic_code, "Enter the insurer's five-digit NAIC code."),
                                   (self.insurer_rating, "Choose the insurer's AM Best rating.")):
                if not field.data and not field.errors:
                    field.errors = [*field.errors, message]
                    ok = False
        return ok

    def to_data(self) -> UploadedPolicy:
        """The service's input (the file is passed beside it)."""
        outside = self.insurer_id.data == OUTSIDE_INSURER
        return UploadedPolicy(
            policy_number=self.policy_number.data or "", effective_date=self.effective_date.data,
            expiration_date=self.expiration_date.data, per_occurrence_limit=self.per_occurrence_limit.data,
            aggregate_limit=self.aggregate_limit.data, deductible=self.deductible.data,
            occurrence_based=self.coverage_basis.data == "occurrence",
            additional_insured=bool(self.additional_insured.data),
            excluded_categories=tuple(self.excluded_categories.data or ()),
            insurer_id=None if outside or not (self.insurer_id.data or "").isdigit() else int(self.insurer_id.data),
            insurer_name=(self.insurer_name.data or "") if outside else "",
            insurer_naic_code=(self.insurer_naic_code.data or "") if outside else "",
            insurer_rating=(self.insurer_rating.data or "") if outside else "",
        )


class NewCertificateForm(BaseForm):
    """The button that asks for a new certificate: it names the newest certificate the seller saw."""

    superseding = IntegerField(widget=HiddenInput(), validators=[InputRequired(), NumberRange(min=1, max=2**31 - 1)])


class DisputeForm(BaseForm):
    """The seller disputes a claim: why, in their own words (the marketplace reads it)."""

    reason = TextAreaField("Why you dispute this claim", filters=[strip], validators=[
        DataRequired("Say why you dispute this claim: the marketplace reads it."),
        Length(max=MAX_REASON, message=f"Write at most {MAX_REASON:,} characters.")])
    # Checked by the service (services/claim_evidence.py: type by content, size, count), not here.
    evidence = MultipleFileField("Files of evidence")

    def uploads(self) -> list[Upload]:
        """The files chosen (an empty file input sends one nameless part, which is no file)."""
        return [Upload(part.filename, part.stream) for part in (self.evidence.data or [])
                if part is not None and part.filename]
