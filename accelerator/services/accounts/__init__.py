"""Accounts: seller registration, login with throttling, admins, insurer staff invitations, and what a
seller's account shows on its home page.

Where things are (every public name is re-exported here, so `accounts.<name>` works):
- accounts/validation.py: `normalize_email`, `has_control_characters`, the name check
  (`person_or_business_name`), `MAX_NAME`, `MAX_EMAIL`.
- accounts/passwords.py: `check_password_strength`, `hash_password`, `MIN_PASSWORD`, `MAX_PASSWORD`.
- accounts/registration.py: `register_seller`, `registration_clashes`.
- accounts/login.py: `authenticate` (with the login throttle and the dummy hash for unknown emails),
  `load_user` (Flask-Login's loader), `logout`.
- accounts/admins.py: `create_admin`.
- accounts/staff.py: insurer staff invitations (`invite_staff`, `find_invitation`, `accept_invitation`,
  `INVITATION_DAYS`) and an insurer's staff list (`insurer_staff`, `InsurerStaff`).
- accounts/overview.py: a seller's home page (`seller_overview`, `SellerOverview`, `PolicyLine`,
  `QuoteRequestLine`).
"""

from __future__ import annotations

from accelerator.services.accounts.admins import create_admin
from accelerator.services.accounts.login import authenticate, load_user, logout
from accelerator.services.accounts.overview import PolicyLine, QuoteRequestLine, SellerOverview, seller_overview
from accelerator.services.accounts.passwords import MAX_PASSWORD, MIN_PASSWORD, check_password_strength, hash_password
from accelerator.services.accounts.registration import register_seller, registration_clashes
from accelerator.services.accounts.staff import (
    INVITATION_DAYS,
    InsurerStaff,
    accept_invitation,
    find_invitation,
    insurer_staff,
    invite_staff,
)
from accelerator.services.accounts.validation import MAX_EMAIL, MAX_NAME, has_control_characters, normalize_email

__all__ = [
    "INVITATION_DAYS",
    "MAX_EMAIL",
    "MAX_NAME",
    "MAX_PASSWORD",
    "MIN_PASSWORD",
    "InsurerStaff",
    "PolicyLine",
    "QuoteRequestLine",
    "SellerOverview",
    "accept_invitation",
    "authenticate",
    "check_password_strength",
    "create_admin",
    "find_invitation",
    "has_control_characters",
    "hash_password",
    "insurer_staff",
    "invite_staff",
    "load_user",
    "logout",
    "normalize_email",
    "register_seller",
    "registration_clashes",
    "seller_overview",
]
