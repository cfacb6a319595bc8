"""Demo data: fills an empty database with a realistic, current marketplace, once, in one transaction.

Where things are:
- demo/loader.py: `load_demo` (what `flask demo` calls), `DemoResult`, `DEMO_PASSWORD`, `ADMIN_EMAIL`,
  the refusal checks, the single transaction it writes in, and `_load`, which writes the whole demo.
- demo/insurers.py: the regions and the twelve fictional carriers, and loading them with their staff.
- demo/sellers.py: the demo sellers and their monthly sales, and loading them.
- demo/quotes_and_policies.py: quote requests, insurers' answers, and policies of every kind.
- demo/history.py: `CHECK_HISTORY_DAYS` of coverage checks, and the claims paid on a policy.
- demo/claim_cases.py: `load_claim_cases`, claim cases in every state, answered through the real services.
- demo/helpers.py: the Decimal shorthand `D`, and timestamps and months counted from a day.
"""

from __future__ import annotations

from accelerator.services.demo.history import CHECK_HISTORY_DAYS
from accelerator.services.demo.loader import ADMIN_EMAIL, DEMO_PASSWORD, DemoResult, load_demo

__all__ = ["ADMIN_EMAIL", "CHECK_HISTORY_DAYS", "DEMO_PASSWORD", "DemoResult", "load_demo"]
