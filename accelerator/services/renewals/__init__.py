"""Renewals: from a verified policy in force that expires within 60 days, one click starts a quote request
prefilled from the policy and the business profile; the seller adjusts it and sends it, routed like any
request (with `renewal_of_policy_id` set), and sees its quotes beside the policy it renews.

- `renewal_state(policy, others, open_request_id, today)` is the rule: whether the policy can be renewed
  here on `today`, and if not, why, in words. `states_for(...)` answers it for many policies at once.
- `state_of(seller_id, policy_id)` answers the Renew button: the open renewal request, or the state.
- `draft(...)` is the prefilled request; `submit_renewal(...)` sends it. At most one renewal request of
  a policy is open at a time, even when two submissions race: the policy row is locked first (FOR UPDATE
  on PostgreSQL; SQLite's served app begins every write transaction IMMEDIATE), then the open renewal
  request is looked for, then the new one is written, in one transaction.
- `policy_page(...)` is a policy's page with its renewal; `compare_terms(policy, quote)` sets a quote's
  premium, limits and deductible beside the policy's.

Where things are (every public name is re-exported here, so `renewals.<name>` works):
- renewals/rule.py: the rule (`RenewalState`, `renewal_state`, `successor_of`, `open_renewal_requests`,
  `states_for`, `state_of`), `RENEWAL_WINDOW_DAYS`, `long_date`, and the private helpers the other modules
  share (`_seller_policy`, `_others`).
- renewals/prefilled_request.py: the prefilled request (`RenewalPrefill`, `RenewalDraft`, `original_request`,
  `prefill_for`, `draft`) and sending it (`SubmittedRenewal`, `submit_renewal`).
- renewals/beside_policy.py: beside the current policy (`TermChange`, `compare_terms`, `RenewalQuote`,
  `PolicyRenewal`, `RenewalPolicyPage`, `latest_renewal_request`, `policy_renewal`, `policy_page`).

This package imports services/sellers at the top; sellers imports this package only inside the functions
that show renewals (`dashboard`, `get_request`), so there is no import cycle.
"""

from __future__ import annotations

from accelerator.services.renewals.beside_policy import (
    PolicyRenewal,
    RenewalPolicyPage,
    RenewalQuote,
    TermChange,
    compare_terms,
    latest_renewal_request,
    policy_page,
    policy_renewal,
)
from accelerator.services.renewals.prefilled_request import (
    RenewalDraft,
    RenewalPrefill,
    SubmittedRenewal,
    draft,
    original_request,
    prefill_for,
    submit_renewal,
)
from accelerator.services.renewals.rule import (
    RENEWAL_WINDOW_DAYS,
    RenewalState,
    long_date,
    open_renewal_requests,
    renewal_state,
    state_of,
    states_for,
    successor_of,
)

__all__ = [
    "RENEWAL_WINDOW_DAYS", "PolicyRenewal", "RenewalDraft", "RenewalPolicyPage", "RenewalPrefill", "RenewalQuote",
    "RenewalState", "SubmittedRenewal", "TermChange", "compare_terms", "draft", "latest_renewal_request",
    "long_date", "open_renewal_requests", "original_request", "policy_page", "policy_renewal", "prefill_for",
    "renewal_state", "state_of", "states_for", "submit_renewal", "successor_of",
]
