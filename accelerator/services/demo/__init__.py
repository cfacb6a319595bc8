"""Demo data: fills an empty database with a realistic, current marketplace, once, in one transaction."""

from __future__ import annotations

from accelerator.services.demo.history import CHECK_HISTORY_DAYS
from accelerator.services.demo.loader import ADMIN_EMAIL, DEMO_PASSWORD, DemoResult, load_demo

__all__ = [
    "ADMIN_EMAIL",
    "CHECK_HISTORY_DAYS",
    "DEMO_PASSWORD",
    "DemoResult",
    "load_demo",
]
