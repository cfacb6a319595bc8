"""SessionWriter: raw prepared statements that belong to the session's transaction."""

from datetime import UTC, datetime

import pytest
from sqlalchemy import select
from sqlalchemy.exc import IntegrityError

from accelerator.models import AuditEntry, Seller
from accelerator.services.policies import ensure_seller
from accelerator.services.session_writes import SessionWriter


def _seller(seller_id: str) -> dict:
    return {"seller_id": seller_id, "legal_name": "Shop LLC", "contact_name": "", "contact_email": "",
            "contact_phone": "", "categories": ["toys", "baby"],
            "created_at": datetime(2026, 1, 2, 3, 4, 5, tzinfo=UTC)}


def test_rows_are_written_as_the_orm_reads_them_and_commit_with_the_session(db):
    writer = SessionWriter()
    new_id = writer.insert(Seller.__table__, _seller("RAW0001"), returning=Seller.__table__.c.id)
    db.session.commit()
    stored = db.session.execute(select(Seller).where(Seller.seller_id == "RAW0001")).scalar_one()
    # The column's own type applies (StringList keeps categories sorted), as through the ORM.
    assert (stored.id, stored.legal_name, stored.categories) == (new_id, "Shop LLC", ["baby", "toys"])
    assert stored.created_at == datetime(2026, 1, 2, 3, 4, 5, tzinfo=UTC)


def test_a_rollback_of_the_session_takes_the_rows_back(db):
    SessionWriter().insert(Seller.__table__, _seller("RAW0002"))
    db.session.rollback()
    assert db.session.execute(select(Seller).where(Seller.seller_id == "RAW0002")).first() is None


def test_a_duplicate_raises_sqlalchemys_integrity_error_and_unless_exists_skips_it(db):
    writer = SessionWriter()
    writer.insert(Seller.__table__, _seller("RAW0003"))
    writer.insert(Seller.__table__, {**_seller("RAW0003"), "legal_name": "Other"}, unless_exists="seller_id")
    with pytest.raises(IntegrityError):
        writer.insert(Seller.__table__, _seller("RAW0003"))
    db.session.rollback()
    ensure_seller("RAW0003")
    ensure_seller("RAW0003")  # the second time: nothing to do, no error
    db.session.commit()
    assert [s.legal_name for s in db.session.execute(select(Seller)).scalars()] == [""]


def test_orm_changes_and_raw_rows_share_one_transaction(db):
    db.session.add(AuditEntry(actor="t", action="probe", object_type="test", object_id="1", details={}))
    db.session.flush()
    SessionWriter().insert(Seller.__table__, _seller("RAW0004"))
    db.session.rollback()
    assert db.session.execute(select(AuditEntry)).first() is None
    assert db.session.execute(select(Seller)).first() is None
