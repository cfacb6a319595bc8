"""What a seller should do next, from where the seller stands: the rule behind the dashboard's next steps.

Pure: it takes the facts (the compliance status, when unbroken cover ends, each policy's renewal, the
open quote requests) and answers the steps, most pressing first. In short:
- a policy in its renewal window is renewed (or its renewal quotes compared), whatever the standing;
- compliant: nothing more, unless the cover ends within the window with no renewal to start (a
  cancelled policy, say): then a new policy, as when insurance is due;
- pending verification: wait for the marketplace's check;
- due or overdue (or not required yet but declared over the threshold with nothing in force): compare the
  quotes waiting on an open request, wait for the insurers still answering, else ask for quotes; and
  upload a policy already held;
- not required: compare the quotes on an open request the seller asked anyway, nothing else.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import date

from accelerator.domain.compliance import COMPLIANT, DUE, NOT_REQUIRED, OVERDUE, PENDING_VERIFICATION

# The kinds of step, each one button or link on the dashboard.
STEP_KINDS: tuple[str, ...] = (
    "renew",  # start a renewal request for a policy in its window
    "renewal_quotes",  # compare the quotes on the open renewal request
    "quotes",  # compare the valid quotes on an open request and buy one
    "await",  # insurers have the request and have not answered yet
    "ask_again",  # every quote on an open request has expired: ask those insurers again
    "ask",  # ask insurers for quotes
    "upload",  # upload a policy already held
    "wait",  # the marketplace is checking an uploaded policy
)


@dataclass(frozen=True)
class RenewalFacts:
    """One policy as the rule sees it: its number, when it expires, and what its renewal allows today."""

    policy_id: int
    policy_number: str
    expiration_date: date
    days_left: int
    can_start: bool  # the Renew button starts a renewal request (eligible, none open)
    open_request_id: int | None  # its renewal request still open
    continued: bool  # another verified policy already continues the cover
    in_window: bool  # within the renewal window and not expired


@dataclass(frozen=True)
class OpenRequestFacts:
    """An open quote request (not a renewal's) as the rule sees it."""

    request_id: int
    asked_on: date
    valid_quotes: int  # quotes on offer that can still be bought today
    expired_quotes: int  # quotes on offer whose valid-until has passed
    insurers_waiting: int  # insurers that received it and have not answered


@dataclass(frozen=True)
class SellerStanding:
    """Where the seller stands today: everything the next steps follow from."""

    status: str  # a compliance status (domain/compliance.py)
    today: date
    window_days: int  # the renewal window: cover ending within it is "expiring"
    cover_ends: date | None = None  # compliant: the last day of unbroken cover
    declared_over_threshold: bool = False  # the profile's monthly sales are over the threshold
    in_force_count: int = 0
    policies: tuple[RenewalFacts, ...] = field(default_factory=tuple)
    open_requests: tuple[OpenRequestFacts, ...] = field(default_factory=tuple)


@dataclass(frozen=True)
class NextStep:
    """One thing the seller can do next: what it is (which link or button), in words."""

    kind: str  # one of STEP_KINDS
    text: str
    policy_id: int | None = None
    policy_number: str | None = None
    request_id: int | None = None


def next_steps(standing: SellerStanding) -> list[NextStep]:
    """What the seller can do next, most pressing first (see the module's docstring)."""
    steps = _renewal_steps(standing.policies)
    status = standing.status
    renewing = bool(steps)
    cover_ending = (status == COMPLIANT and standing.cover_ends is not None
                    and (standing.cover_ends - standing.today).days <= standing.window_days)
    if status == PENDING_VERIFICATION:
        steps.append(NextStep("wait", "Nothing to do for now: the marketplace is checking the policy you "
                              "uploaded. You will see the outcome here."))
    elif status in (DUE, OVERDUE) or (cover_ending and not renewing) or (
            status == NOT_REQUIRED and standing.declared_over_threshold and not standing.in_force_count):
        steps.extend(_getting_covered(standing, cover_ending))
    elif status == NOT_REQUIRED:
        steps.extend(_request_steps(standing.open_requests))
    return steps


def _renewal_steps(policies: tuple[RenewalFacts, ...]) -> list[NextStep]:
    """Renew each policy in its window, or compare the quotes on its open renewal request."""
    steps = []
    for policy in sorted(policies, key=lambda p: (p.expiration_date, p.policy_id)):
        if policy.open_request_id is not None and not policy.continued and policy.in_window:
            steps.append(NextStep("renewal_quotes", f"See the quotes on your renewal request for policy "
                                  f"{policy.policy_number}, which expires in {_days(policy.days_left)}.",
                                  policy.policy_id, policy.policy_number, policy.open_request_id))
        elif policy.can_start:
            steps.append(NextStep("renew", f"Renew policy {policy.policy_number}: it expires in "
                                  f"{_days(policy.days_left)}, on {long_date(policy.expiration_date)}.",
                                  policy.policy_id, policy.policy_number))
    return steps


def _request_steps(requests: tuple[OpenRequestFacts, ...]) -> list[NextStep]:
    """Compare the quotes waiting on each open request; ask again where they all expired; wait for the rest."""
    steps = []
    for request in sorted(requests, key=lambda r: (r.asked_on, r.request_id)):
        asked = long_date(request.asked_on)
        if request.valid_quotes:
            count = request.valid_quotes
            steps.append(NextStep("quotes", f"Compare the {count} quote{'s' if count != 1 else ''} on your "
                                  f"request of {asked} and buy one.", request_id=request.request_id))
        elif request.insurers_waiting:
            count = request.insurers_waiting
            steps.append(NextStep("await", f"Your request of {asked} is with {count} insurer"
                                  f"{'s' if count != 1 else ''} that {'has' if count == 1 else 'have'} not "
                                  "answered yet: their quotes appear here.", request_id=request.request_id))
        elif request.expired_quotes:
            steps.append(NextStep("ask_again", f"The quotes on your request of {asked} have expired: ask "
                                  "those insurers again.", request_id=request.request_id))
    return steps


def _getting_covered(standing: SellerStanding, cover_ending: bool) -> list[NextStep]:
    """The steps to a policy that meets the requirement: the open requests first, else a new one; or upload."""
    steps = _request_steps(standing.open_requests)
    if not any(step.kind in ("quotes", "await") for step in steps):
        if cover_ending and standing.cover_ends is not None:
            text = (f"Your cover ends on {long_date(standing.cover_ends)} and cannot be renewed here: ask "
                    "insurers for quotes for a new policy.")
        elif standing.status == OVERDUE:
            text = "The deadline has passed: ask insurers for quotes now. One request goes to every insurer that fits."
        else:
            text = "Ask insurers for quotes: one request goes to every insurer that fits."
        steps.append(NextStep("ask", text))
    steps.append(NextStep("upload", "Upload a policy you already hold, with its certificate."))
    return steps


def long_date(day: date) -> str:
    """`June 1, 2026`, as the pages write dates."""
    return f"{day:%B} {day.day}, {day.year}"


def _days(n: int) -> str:
    """`1 day`, `12 days`."""
    return f"{n} day" if n == 1 else f"{n} days"
