"""Accounts: seller registration, login with throttling, admins, insurer staff invitations, and what a
seller's account shows on its home page."""

from __future__ import annotations

from accelerator.services.accounts.admins import create_admin
from accelerator.services.accounts.login import authenticate, load_user, logout
from accelerator.services.accounts.overview import PolicyLine, QuoteRequestLine, SellerOverview, seller_overview
from accelerator.services.accounts.passwords import MAX_PASSWORD, MIN_PASSWORD, hash_password
from accelerator.services.accounts.registration import register_seller, registration_clashes
from accelerator.services.accounts.staff import (
    InsurerStaff,
    accept_invitation,
    find_invitation,
    insurer_staff,
    invite_staff,
)
from accelerator.services.accounts.validation import MAX_EMAIL, MAX_NAME, has_control_characters

__all__ = [
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
    "create_admin",
    "find_invitation",
    "has_control_characters",
    "hash_password",
    "insurer_staff",
    "invite_staff",
    "load_user",
    "logout",
    "register_seller",
    "registration_clashes",
    "seller_overview",
]
