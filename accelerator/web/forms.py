"""The site's forms (Flask-WTF, CSRF on every POST form): they check shape; rules needing other records
stay in the services, whose per-field messages `show_domain_error` puts back on the form."""

from __future__ import annotations

import re
from decimal import Decimal

from flask import request
from flask_wtf import FlaskForm
from wtforms import (
    BooleanField,
    EmailField,
    Form,
    PasswordField,
    SelectChoice,
    SelectField,
    SelectMultipleField,
    StringField,
    TextAreaField,
    URLField,
)
from wtforms.validators import DataRequired, Email, EqualTo, Length, Optional, Regexp
from wtforms.validators import ValidationError as FieldError

from accelerator.domain.categories import CATEGORIES
from accelerator.domain.errors import DomainError
from accelerator.domain.money import parse_money
from accelerator.domain.states import STATES
from accelerator.domain.values import AM_BEST_RATINGS, normalize_seller_id
from accelerator.models import INSURER_STATUSES
from accelerator.services.accounts import MAX_EMAIL, MAX_NAME, MAX_PASSWORD, MIN_PASSWORD
from accelerator.services.insurers import MAX_APPROVAL_REASON, TEXT_LIMITS, InsurerData

# Control characters other than tab, newline and carriage return: no field of ours accepts them.
_CONTROL = re.compile(r"[\x00-\x08\x0b\x0c\x0e-\x1f\x7f]")


def strip(value):
    """Trim surrounding white space from text input."""
    return value.strip() if isinstance(value, str) else value


def upper(value):
    """Upper-case text input (seller IDs and policy prefixes are kept in capitals)."""
    return value.upper() if isinstance(value, str) else value


class BaseForm(FlaskForm):
    """A CSRF-protected form that refuses control characters in any text field."""

    def validate(self, extra_validators=None) -> bool:
        """Run the field validators, then refuse control characters wherever text was typed."""
        ok = super().validate(extra_validators)
        for field in self:
            if isinstance(field.data, str) and _CONTROL.search(field.data):
                field.errors = [*field.errors, "Remove the control characters from this field."]
                ok = False
        return ok


def show_domain_error(form: FlaskForm, exc: DomainError) -> None:
    """Put a service's per-field messages on the form's fields; the rest becomes a form-level error."""
    placed = False
    for name, message in exc.fields.items():
        field = form._fields.get(name)
        if field is not None:
            field.errors = [*field.errors, message]
            placed = True
        else:
            form.form_errors.append(message)
    if not placed:
        form.form_errors.append(exc.message)


def add_rule_errors(form: FlaskForm, errors: dict[str, str]) -> bool:
    """Put the messages of rules between fields on their fields, beside the field checks' own (a field
    whose value is already refused keeps only that message); whether any was added."""
    added = False
    for name, message in errors.items():
        field = form._fields.get(name)
        if field is not None and not field.errors:
            field.errors = [*field.errors, message]
            added = True
    return added


SEND_ANYWAY = "send_anyway"
CONFIRMED = "confirmed_shortfall"


def confirmed_shortfalls() -> list[str]:
    """The shortfall sentences the sender confirmed with "Send anyway" (none unless that button was pressed)."""
    if request.form.get(SEND_ANYWAY) != "1":
        return []
    return request.form.getlist(CONFIRMED)


class SellerIdShape:
    """A seller ID after upper-casing: 6 to 20 letters A-Z and digits (the contract's pattern)."""

    def __call__(self, form, field) -> None:
        """Raise a field error unless the value is a seller ID."""
        try:
            field.data = normalize_seller_id(field.data or "")
        except ValueError as exc:
            raise FieldError(f"A seller ID {exc}.") from exc


class MoneyField(StringField):
    """A US dollar amount as a person types it (`1,000,000` or `$2500.00`); its data is a Decimal or None."""

    def __init__(self, label=None, validators=None, allow_zero: bool = False, **kwargs):
        """`allow_zero`: whether 0 is a valid amount (a bottom of a band may be 0)."""
        super().__init__(label, validators, **kwargs)
        self.allow_zero = allow_zero

    def process_formdata(self, valuelist):
        """Parse the typed amount; a bad one becomes this field's error."""
        self.data = None
        if not valuelist:
            return
        text = (valuelist[0] or "").strip().replace(",", "").removeprefix("$").strip()
        if not text:
            return
        try:
            self.data = parse_money(text, allow_zero=self.allow_zero)
        except ValueError as exc:
            raise ValueError(f"This amount {exc}.") from exc

    def _value(self) -> str:
        """What the input shows: the typed text after an error, else the amount with thousands separators."""
        if self.raw_data:
            return self.raw_data[0]
        return f"{self.data:,.2f}" if isinstance(self.data, Decimal) else ""


class CheckboxesField(SelectMultipleField):
    """A set of choices shown as checkboxes; unknown values are refused by the choices check."""


def choices(pairs, first: str | None = None) -> list[SelectChoice]:
    """(value, label) pairs as select choices, optionally after an empty "all"/"choose" choice."""
    head = [SelectChoice("", first)] if first is not None else []
    return head + [SelectChoice(value, label) for value, label in pairs]


# --- accounts ---------------------------------------------------------------------------------------

PASSWORD_HINT = f"At least {MIN_PASSWORD} characters. A few words you will remember work well."


class LoginForm(BaseForm):
    """Email and password."""

    email = EmailField("Email address", filters=[strip],
                       validators=[DataRequired("Enter your email address."), Length(max=MAX_EMAIL)])
    password = PasswordField("Password", validators=[DataRequired("Enter your password."),
                                                     Length(max=MAX_PASSWORD)])


class RegistrationForm(BaseForm):
    """A seller's own account: seller ID, legal name, email and password twice (in the page's order)."""

    seller_id = StringField("Seller ID", filters=[strip, upper], validators=[
        DataRequired("Enter your seller ID."), Length(max=40, message="A seller ID has 6 to 20 characters."),
        SellerIdShape()])
    legal_name = StringField("Legal business name", filters=[strip], validators=[
        DataRequired("Enter your legal business name."), Length(max=MAX_NAME)])
    email = EmailField("Email address", filters=[strip], validators=[
        DataRequired("Enter your email address."), Length(max=MAX_EMAIL),
        Email("Enter a valid email address, like name@example.com.")])
    password = PasswordField("Password", validators=[
        DataRequired("Choose a password."),
        Length(min=MIN_PASSWORD, max=MAX_PASSWORD,
               message=f"Use {MIN_PASSWORD} to {MAX_PASSWORD} characters.")])
    confirm = PasswordField("Password again", validators=[
        DataRequired("Type the password again."), EqualTo("password", "The two passwords are not the same.")])


class AcceptInvitationForm(BaseForm):
    """Insurer staff joining by invitation: their name and a password."""

    name = StringField("Your name", filters=[strip],
                       validators=[DataRequired("Enter your name."), Length(max=MAX_NAME)])
    password = PasswordField("Password", validators=[
        DataRequired("Choose a password."),
        Length(min=MIN_PASSWORD, max=MAX_PASSWORD,
               message=f"Use {MIN_PASSWORD} to {MAX_PASSWORD} characters.")])
    confirm = PasswordField("Password again", validators=[
        DataRequired("Type the password again."), EqualTo("password", "The two passwords are not the same.")])


class InviteStaffForm(BaseForm):
    """The email address of a person to invite to an insurer's staff."""

    email = EmailField("Email address", filters=[strip], validators=[
        DataRequired("Enter the person's email address."), Length(max=MAX_EMAIL),
        Email("Enter a valid email address, like name@example.com.")])


# --- insurers ---------------------------------------------------------------------------------------

RATING_CHOICES = choices(((r, r) for r in AM_BEST_RATINGS), "Choose a rating")


class InsurerForm(BaseForm):
    """Every field of an insurer an admin keeps."""

    name = StringField("Name", filters=[strip], validators=[
        DataRequired("Enter the insurer's name."), Length(max=200)])
    naic_code = StringField("NAIC company code", filters=[strip], validators=[
        DataRequired("Enter the NAIC code."), Regexp(r"^[0-9]{5}$", message="An NAIC code is five digits.")])
    am_best_rating = SelectField("AM Best rating", choices=RATING_CHOICES, default="",
                                 validators=[DataRequired("Choose an AM Best rating.")])
    categories = CheckboxesField("Product categories", choices=choices(CATEGORIES), default=list)
    licensed_states = CheckboxesField("Licensed states", choices=choices(STATES), default=list)
    min_revenue = MoneyField("Smallest annual revenue", allow_zero=True, validators=[Optional()])
    max_revenue = MoneyField("Largest annual revenue", validators=[Optional()])
    contact_name = StringField("Contact name", filters=[strip],
                               validators=[Length(max=TEXT_LIMITS["contact_name"])])
    contact_email = EmailField("Contact email", filters=[strip], validators=[
        Optional(), Length(max=TEXT_LIMITS["contact_email"]), Email("Enter a valid email address.")])
    contact_phone = StringField("Contact phone", filters=[strip],
                                validators=[Length(max=TEXT_LIMITS["contact_phone"])])
    website = URLField("Website", filters=[strip], validators=[
        Optional(), Length(max=TEXT_LIMITS["website"]),
        Regexp(r"^https?://[^\s/?#]+\.[^\s]+$", message="Enter a web address starting with https://.")])
    description = TextAreaField("Description", filters=[strip],
                                validators=[Length(max=TEXT_LIMITS["description"])])
    policy_prefix = StringField("Policy number prefix", filters=[strip, upper], validators=[
        Optional(), Regexp(r"^[A-Z]{2,6}$", message="Two to six letters A-Z.")])

    def to_data(self) -> InsurerData:
        """The service's input from the form's (already shape-checked) values."""
        return InsurerData(
            name=self.name.data or "",
            naic_code=self.naic_code.data or "",
            am_best_rating=self.am_best_rating.data or "",
            licensed_states=list(self.licensed_states.data or []),
            categories=list(self.categories.data or []),
            min_revenue=self.min_revenue.data,
            max_revenue=self.max_revenue.data,
            contact_name=self.contact_name.data or "",
            contact_email=self.contact_email.data or "",
            contact_phone=self.contact_phone.data or "",
            website=self.website.data or "",
            description=self.description.data or "",
            policy_prefix=self.policy_prefix.data or None,
        )


class NewInsurerForm(InsurerForm):
    """An insurer's fields, and whether to approve it at once (below the minimum rating, with a reason)."""

    approve = BooleanField("Approve at once (it appears in the directory and can receive quote requests)")
    approval_reason = TextAreaField("Reason for approving it", filters=[strip], validators=[
        Length(max=MAX_APPROVAL_REASON, message=f"Write at most {MAX_APPROVAL_REASON:,} characters.")])


class ApproveInsurerForm(BaseForm):
    """The approve step: a reason, which the service requires for an insurer rated below the minimum."""

    approval_reason = TextAreaField("Reason for approving it", filters=[strip], validators=[
        Length(max=MAX_APPROVAL_REASON, message=f"Write at most {MAX_APPROVAL_REASON:,} characters.")])


class ActionForm(BaseForm):
    """A button that changes something: only the CSRF token."""


# --- GET filters (they change nothing, so they carry no CSRF token) ---------------------------------

class DirectoryFilterForm(Form):
    """The public directory's filters: a product category and a state."""

    category = SelectField("Product category", choices=choices(CATEGORIES, "All categories"), default="")
    state = SelectField("State", choices=choices(STATES, "All states"), default="")


class InsurerStatusFilterForm(Form):
    """The admin's insurer list filter."""

    status = SelectField("Status", default="",
                         choices=choices(((s, s.capitalize()) for s in INSURER_STATUSES), "All statuses"))
