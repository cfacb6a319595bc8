"""Column types: exact money on every database, UTC timestamps, JSON string lists."""

from __future__ import annotations

from datetime import UTC
from decimal import Decimal

from sqlalchemy import JSON, BigInteger, DateTime, Numeric
from sqlalchemy.types import TypeDecorator

from accelerator.domain.money import CENT


class Money(TypeDecorator):
    """USD as Decimal: NUMERIC(14,2) on PostgreSQL, whole cents in an integer on SQLite.

    SQLite has no exact decimal type (NUMERIC affinity degrades to binary floats), so it stores
    cents; either way Python sees a Decimal with two places.
    """

    impl = Numeric(14, 2)
    cache_ok = True

    def load_dialect_impl(self, dialect):
        if dialect.name == "sqlite":
            return dialect.type_descriptor(BigInteger())
        return dialect.type_descriptor(Numeric(14, 2, asdecimal=True))

    def process_bind_param(self, value, dialect):
        if value is None:
            return None
        amount = Decimal(value).quantize(CENT)
        if dialect.name == "sqlite":
            return int(amount * 100)
        return amount

    def process_result_value(self, value, dialect):
        if value is None:
            return None
        if dialect.name == "sqlite":
            return (Decimal(int(value)) / 100).quantize(CENT)
        return Decimal(value).quantize(CENT)


class UTCDateTime(TypeDecorator):
    """A timezone-aware UTC timestamp on every database (SQLite forgets the zone; we restore it)."""

    impl = DateTime(timezone=True)
    cache_ok = True

    def process_bind_param(self, value, dialect):
        if value is None:
            return None
        if value.tzinfo is None:
            raise ValueError("timestamps must be timezone-aware")
        value = value.astimezone(UTC)
        return value.replace(tzinfo=None) if dialect.name == "sqlite" else value

    def process_result_value(self, value, dialect):
        if value is None:
            return None
        if value.tzinfo is None:
            return value.replace(tzinfo=UTC)
        return value.astimezone(UTC)


class StringList(TypeDecorator):
    """A list of short strings kept as JSON (categories, states)."""

    impl = JSON
    cache_ok = True

    def process_bind_param(self, value, dialect):
        if value is None:
            return []
        return sorted(set(value))

    def process_result_value(self, value, dialect):
        return list(value or [])

