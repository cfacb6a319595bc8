"""Helpers for the command tests: invoke a command, read its last line, count rows."""

from __future__ import annotations

from sqlalchemy import func, select

from accelerator.extensions import db


def invoke(app, *args: str):
    """Run `flask <args>` in-process, after ending the test session's open transaction.

    `demo` writes on a connection of its own: no transaction of the test may hold a lock it waits
    on, and the test's later reads must not see an older snapshot.
    """
    db.session.rollback()
    return app.test_cli_runner().invoke(args=list(args))


def last_line(result) -> str:
    """The last non-empty line a command printed."""
    lines = [line for line in result.output.splitlines() if line.strip()]
    assert lines, "the command printed nothing"
    return lines[-1].strip()


def assert_failed(result, *fragments: str) -> None:
    """The command exited non-zero with a message (not a traceback) holding every fragment."""
    assert result.exit_code != 0, result.output
    assert isinstance(result.exception, SystemExit), repr(result.exception)
    assert "Traceback" not in result.output
    for fragment in fragments:
        assert fragment in result.output, result.output


def assert_ok(result) -> None:
    """The command succeeded."""
    assert result.exit_code == 0, result.output
    assert result.exception is None, repr(result.exception)


def row_counts() -> dict[str, int]:
    """Rows in every table, counted on a connection of its own (so no lock is left behind)."""
    with db.engine.connect() as conn:
        return {
            table.name: conn.execute(select(func.count()).select_from(table)).scalar_one()
            for table in db.metadata.sorted_tables
        }
