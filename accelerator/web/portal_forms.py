"""The insurer portal's forms: offer a quote, decline, upload quotes as CSV, a webhook URL, an API key name,
and the inbox's filters. They check shape; the services judge the rules that need other records."""

from __future__ import annotations

from datetime import date, timedelta

from flask_wtf.file import FileField, FileRequired
from wtforms import BooleanField, Form, SelectField, StringField, TextAreaField, URLField
from wtforms.validators import DataRequired, Length, StopValidation
from wtforms.widgets import DateInput

from accelerator import clock
from accelerator.domain.categories import CATEGORIES
from accelerator.domain.values import parse_date
from accelerator.services import policy_notices, quotes, webhooks
from accelerator.services.portal import INBOX_SORTS, STATUS_LABELS
from accelerator.services.quote_csv import MAX_BYTES, OPTIONAL
from accelerator.services.quote_csv import REQUIRED as CSV_REQUIRED
from accelerator.services.quotes import QuoteOffer
from accelerator.web.forms import BaseForm, CheckboxesField, MoneyField, add_rule_errors, choices, strip

QUOTE_VALID_DAYS = 30  # what the offer form suggests for valid-until
CSV_COLUMNS = CSV_REQUIRED + OPTIONAL


class DayField(StringField):
    """A date typed or picked as YYYY-MM-DD (an `<input type="date">`); its data is a date or None."""

    widget = DateInput()

    def process_formdata(self, valuelist):
        """Parse the date; an empty input is None (the required check speaks), a bad one a field error."""
        self.data = None
        text = (valuelist[0] if valuelist else "") or ""
        if not text.strip():
            return
        try:
            self.data = parse_date(text.strip())
        except ValueError as exc:
            raise ValueError(f"Write the date as YYYY-MM-DD: this one {exc}.") from exc

    def _value(self) -> str:
        """What the input shows: the typed text after an error, else the date."""
        if self.raw_data:
            return self.raw_data[0]
        return self.data.isoformat() if isinstance(self.data, date) else ""


class AmountRequired:
    """Like DataRequired, but 0 is an amount (a deductible may be 0) and a parse error is kept, not replaced."""

    field_flags = {"required": True}

    def __init__(self, message: str):
        """`message`: what to say when nothing was typed."""
        self.message = message

    def __call__(self, form, field) -> None:
        """Stop the chain with `message` when the field is empty (its parse error stands otherwise)."""
        if field.data is None and not field.process_errors:
            raise StopValidation(self.message)


class DateGiven(AmountRequired):
    """A date must be given; "not a valid date" from parsing stands on its own."""


class QuoteOfferForm(BaseForm):
    """An insurer's quote on one request: premium, limits, deductible, valid until, terms, notes."""

    annual_premium = MoneyField("Annual premium", validators=[AmountRequired("Enter the annual premium.")])
    per_occurrence_limit = MoneyField("Each-occurrence limit",
                                      validators=[AmountRequired("Enter the each-occurrence limit.")])
    aggregate_limit = MoneyField("Aggregate limit", validators=[AmountRequired("Enter the aggregate limit.")])
    deductible = MoneyField("Deductible", allow_zero=True,
                            validators=[AmountRequired("Enter the deductible (0 for none).")])
    valid_until = DayField("Valid until", validators=[DateGiven("Enter the last day the quote can be bought.")])
    occurrence_based = BooleanField("Occurrence-based (not claims-made)", default=True)
    additional_insured = BooleanField("The marketplace is named as additional insured", default=True)
    excluded_categories = CheckboxesField("Excluded product categories", choices=choices(CATEGORIES), default=list)
    notes = TextAreaField("Notes for the seller", filters=[strip],
                          validators=[Length(max=quotes.MAX_NOTES,
                                             message=f"Write at most {quotes.MAX_NOTES:,} characters.")])

    @classmethod
    def suggested(cls, request) -> QuoteOfferForm:
        """A blank form pre-filled with what the seller asked for and a valid-until 30 days out."""
        form = cls(formdata=None)  # never the body of another form sent to the page (a decline)
        form.per_occurrence_limit.data = request.per_occurrence_limit
        form.aggregate_limit.data = request.aggregate_limit
        form.deductible.data = request.deductible
        form.valid_until.data = clock.today() + timedelta(days=QUOTE_VALID_DAYS)
        return form

    def validate(self, extra_validators=None) -> bool:
        """Every field's check and, in the same pass, the quote's rules between fields (limits, deductible,
        valid until), so that one submit reports them all."""
        ok = super().validate(extra_validators)
        return not add_rule_errors(self, quotes.offer_errors(self.to_offer(), clock.today())) and ok

    def to_offer(self) -> QuoteOffer:
        """The service's input from the (shape-checked) form."""
        return QuoteOffer(
            annual_premium=self.annual_premium.data,
            per_occurrence_limit=self.per_occurrence_limit.data,
            aggregate_limit=self.aggregate_limit.data,
            deductible=self.deductible.data,
            valid_until=self.valid_until.data,
            occurrence_based=bool(self.occurrence_based.data),
            additional_insured=bool(self.additional_insured.data),
            excluded_categories=tuple(self.excluded_categories.data or ()),
            notes=self.notes.data or "",
        )


class DeclineForm(BaseForm):
    """Decline a request, saying why (kept with the routing, as the API keeps it)."""

    reason = TextAreaField("Reason for declining", filters=[strip], validators=[
        DataRequired("Say why you decline this request."),
        Length(max=quotes.MAX_REASON, message=f"Write at most {quotes.MAX_REASON:,} characters.")])


class CancellationNoticeForm(BaseForm):
    """A notice of cancellation: the date cover ends (after today, in the policy period) and why."""

    cancellation_date = DayField("Cancellation date", validators=[
        DateGiven("Enter the day the cancellation takes effect (12:01 a.m.).")])
    reason = TextAreaField("Reason, as the seller will read it", filters=[strip], validators=[
        DataRequired("Say why the policy is cancelled."),
        Length(max=policy_notices.MAX_REASON,
               message=f"Write at most {policy_notices.MAX_REASON:,} characters.")])


class QuoteCsvForm(BaseForm):
    """A CSV file of quotes, made from the template."""

    file = FileField("CSV file of quotes", validators=[FileRequired("Choose the CSV file to upload.")],
                     render_kw={"accept": ".csv,text/csv"})


class WebhookEndpointForm(BaseForm):
    """The https URL where the insurer's systems receive signed events."""

    url = URLField("Endpoint URL", filters=[strip], validators=[
        DataRequired("Enter the https URL of your endpoint."),
        Length(max=webhooks.MAX_URL_LENGTH, message=f"Use at most {webhooks.MAX_URL_LENGTH:,} characters.")])


class ApiKeyForm(BaseForm):
    """A name for a new API key, so the insurer can tell its keys apart."""

    name = StringField("Key name", filters=[strip], validators=[
        DataRequired("Name the key, e.g. after the system that will use it."),
        Length(max=200, message="Use at most 200 characters.")])


class InboxFilterForm(Form):
    """The inbox's filters (a GET form: no CSRF token, it changes nothing)."""

    status = SelectField("Status", default="", choices=choices(STATUS_LABELS.items(), "All statuses"))
    sort = SelectField("Sort by", default="newest", choices=choices(INBOX_SORTS.items()))


CSV_MAX_KB = MAX_BYTES // 1024
