"""The forms of the claim case pages (insurer portal and marketplace staff): they check shape only."""

from __future__ import annotations

from wtforms import SelectField, TextAreaField
from wtforms.validators import DataRequired, Length, Optional

from accelerator.domain.claim_case_input import MAX_NOTE, MAX_REASON
from accelerator.web.forms import BaseForm, MoneyField, choices, strip
from accelerator.web.portal_forms import AmountRequired


class DenyCaseForm(BaseForm):
    """The insurer denies a claim, saying why."""

    reason = TextAreaField("Reason for denying", filters=[strip], validators=[
        DataRequired("Say why you deny this claim."),
        Length(max=MAX_REASON, message=f"Write at most {MAX_REASON:,} characters.")])


class CasePaymentForm(BaseForm):
    """The amount paid to the customer (the insurer's payment)."""

    amount = MoneyField("Amount paid", validators=[AmountRequired("Enter the amount paid.")])


class StaffPaymentForm(BaseForm):
    """The payment the marketplace records: who paid (the marketplace or the seller) and how much."""

    payer = SelectField("Paid by", choices=choices([("marketplace", "The marketplace"), ("seller", "The seller")]),
                        validators=[DataRequired("Choose who paid.")])
    amount = MoneyField("Amount paid", validators=[AmountRequired("Enter the amount paid.")])


class RecoveryForm(BaseForm):
    """Money recovered from the party that owed the marketplace."""

    recovered = MoneyField("Amount recovered", validators=[AmountRequired("Enter the amount recovered.")])


class StepInForm(BaseForm):
    """The marketplace steps in, with an optional note."""

    note = TextAreaField("Note", filters=[strip], validators=[
        Optional(), Length(max=MAX_NOTE, message=f"Write at most {MAX_NOTE:,} characters.")])


class CloseCaseForm(BaseForm):
    """The marketplace closes the case without payment."""

    outcome = SelectField("Outcome", choices=choices([("invalid", "Invalid claim"), ("withdrawn", "Withdrawn")],
                                                     first="Choose…"),
                          validators=[DataRequired("Choose the outcome.")])
    close_note = TextAreaField("Note", filters=[strip], validators=[
        Optional(), Length(max=MAX_NOTE, message=f"Write at most {MAX_NOTE:,} characters.")])
