"""The product categories of the marketplace: one list, served at /api/v1/categories."""

from __future__ import annotations

CATEGORIES: tuple[tuple[str, str], ...] = (
    ("apparel", "Clothing, Shoes & Jewelry"),
    ("automotive", "Automotive Parts & Accessories"),
    ("baby", "Baby Products"),
    ("beauty", "Beauty & Personal Care"),
    ("books", "Books & Media"),
    ("electronics", "Electronics"),
    ("grocery", "Grocery & Gourmet Food"),
    ("health", "Health & Household"),
    ("home", "Home & Kitchen"),
    ("industrial", "Industrial & Scientific"),
    ("outdoors", "Sports & Outdoors"),
    ("pet", "Pet Supplies"),
    ("tools", "Tools & Home Improvement"),
    ("toys", "Toys & Games"),
)

CATEGORY_CODES: frozenset[str] = frozenset(code for code, _ in CATEGORIES)
_NAMES = dict(CATEGORIES)


def category_name(code: str) -> str:
    """The display name of a category code (the code itself when unknown)."""
    return _NAMES.get(code, code)


def category_names(codes: list[str] | tuple[str, ...] | set[str] | frozenset[str]) -> str:
    """The display names of `codes` in code order, in words: "Baby Products and Toys & Games"."""
    names = [category_name(c) for c in sorted(codes)]
    if len(names) <= 1:
        return "".join(names)
    return ", ".join(names[:-1]) + " and " + names[-1]


def unknown_categories(codes: list[str] | tuple[str, ...] | set[str]) -> list[str]:
    """The codes of `codes` that are not on the list, in their given order."""
    return [c for c in codes if c not in CATEGORY_CODES]
