"""Several writers at once on the served app's engine never fail with "database is locked"."""

import threading

import pytest
from sqlalchemy import func, select

from accelerator.extensions import db as _db
from accelerator.models import AuditEntry


def test_served_app_begins_sqlite_transactions_immediately(live_app, db):
    if _db.engine.dialect.name != "sqlite":
        pytest.skip("SQLite only")
    assert live_app.config["SQLITE_BEGIN_IMMEDIATE"] is True
    statements = []
    with live_app.app_context():
        from sqlalchemy import event

        engine = _db.engine

        def capture(conn, cursor, statement, *args):
            statements.append(statement)

        event.listen(engine, "before_cursor_execute", capture)
        try:
            _db.session.execute(select(func.count(AuditEntry.id)))
            _db.session.rollback()
        finally:
            event.remove(engine, "before_cursor_execute", capture)
    assert statements[0] == "BEGIN IMMEDIATE"


def test_read_then_write_from_many_threads_all_succeed(live_app, db):
    errors: list[BaseException] = []
    barrier = threading.Barrier(8)

    def worker(n: int) -> None:
        with live_app.app_context():
            try:
                barrier.wait()
                for i in range(10):
                    # Read, then write in the same transaction: the pattern that fails under
                    # deferred transactions when another writer commits in between.
                    seen = _db.session.execute(select(func.count(AuditEntry.id))).scalar_one()
                    _db.session.add(AuditEntry(actor=f"t{n}", action="probe", object_type="test",
                                               object_id=f"{n}-{i}", details={"seen": seen}))
                    _db.session.commit()
            except BaseException as exc:  # noqa: BLE001 - collected and asserted below
                errors.append(exc)
            finally:
                _db.session.remove()

    threads = [threading.Thread(target=worker, args=(n,)) for n in range(8)]
    for t in threads:
        t.start()
    for t in threads:
        t.join(timeout=60)
    assert not errors, errors
    assert _db.session.execute(select(func.count(AuditEntry.id))).scalar_one() == 80
