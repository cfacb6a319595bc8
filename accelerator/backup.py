"""`flask db backup PATH`: a consistent copy of the SQLite database, taken while the site serves and writes.

The copy is made with SQLite's online backup API (`sqlite3.Connection.backup`) in steps, from a
connection that first opens a read transaction. In WAL mode (which the app always uses) a reader
never blocks writers, so the site goes on writing during the copy; and because the read transaction
pins one snapshot, every step copies pages of that same snapshot. (Without it, SQLite restarts the
copy from the first page whenever another connection writes between two steps, and under a steady
write load it might never finish.) The copy is the database as it stood when the read began. While
it copies, SQLite cannot checkpoint past that snapshot, so the `-wal` file grows by the writes made
meanwhile; the first checkpoint after the copy takes them in.

Nothing is written at PATH until the copy is complete and has passed `PRAGMA integrity_check`: the
pages go to a temporary file in PATH's directory, which is then linked to PATH (refusing a PATH
that appeared meanwhile) and removed. A failure leaves nothing behind.

PostgreSQL has its own tools (pg_dump, pg_restore, WAL archiving): docs/deployment.md, "Backups".
"""

from __future__ import annotations

import errno
import os
import sqlite3
import tempfile
from pathlib import Path
from urllib.parse import quote

PAGES_PER_STEP = 1024  # 4 MiB at SQLite's default page size: one step is short, the steps are few
STEP_PAUSE_SECONDS = 0.001  # between steps, so the copy's reads leave room for the site's own disk work
BUSY_TIMEOUT_MS = 30_000  # as the app's connections (extensions.BUSY_TIMEOUT_SECONDS)

PG_ADVICE = ("This database is PostgreSQL: back it up with PostgreSQL's own tools, e.g. "
             "`pg_dump --format=custom --file=accelerator.dump --dbname=postgresql://USER@HOST/DBNAME` "
             "(restore with pg_restore), "
             "or continuous archiving for point-in-time recovery; see docs/deployment.md, \"Backups\".")


class BackupError(RuntimeError):
    """The backup cannot be made; nothing was written."""


def refuse_target(target: Path) -> None:
    """Raise BackupError when `target` exists or its directory cannot take a new file."""
    if target.exists() or target.is_symlink():
        raise BackupError(f"{target} already exists; give a new path (nothing was written).")
    directory = target.parent
    if not directory.is_dir():
        raise BackupError(f"cannot write {target}: {directory} is not a directory (nothing was written).")
    if not os.access(directory, os.W_OK | os.X_OK):
        raise BackupError(f"cannot write {target}: no permission to create files in {directory} "
                          "(nothing was written).")


def _remove_quietly(*paths: str) -> None:
    """Remove what a failed copy left (the temporary file and any journal SQLite made beside it)."""
    for path in paths:
        try:
            os.unlink(path)
        except FileNotFoundError:
            pass


def _copy(database: Path, partial: str) -> None:
    """Copy the database's snapshot into the (empty) file `partial` in steps, then check the copy."""
    source = sqlite3.connect(f"file:{quote(str(database))}?mode=rw", uri=True, isolation_level=None)
    try:
        source.execute(f"PRAGMA busy_timeout={BUSY_TIMEOUT_MS}")
        source.execute("BEGIN")  # a read transaction: one snapshot for every step (see the module's docstring)
        source.execute("SELECT count(*) FROM sqlite_master").fetchone()
        target = sqlite3.connect(partial, isolation_level=None)
        try:
            source.backup(target, pages=PAGES_PER_STEP, sleep=STEP_PAUSE_SECONDS)
            verdict = [row[0] for row in target.execute("PRAGMA integrity_check").fetchall()]
        finally:
            target.close()
        source.execute("COMMIT")
    finally:
        source.close()
    if verdict != ["ok"]:
        raise BackupError("the copy failed SQLite's integrity check: " + "; ".join(verdict[:5]))


def _give_name(partial: str, target: Path) -> None:
    """Link the finished copy to `target`, refusing a `target` that appeared meanwhile."""
    try:
        os.link(partial, target)  # unlike rename, never replaces a file that appeared meanwhile
    except FileExistsError as exc:
        raise BackupError(f"{target} already exists; give a new path (nothing was written).") from exc
    except OSError as exc:
        if exc.errno not in (errno.EPERM, errno.ENOTSUP, errno.EOPNOTSUPP):
            raise
        refuse_target(target)  # a file system without hard links: check again, then rename
        os.rename(partial, target)


def backup_sqlite(database: str | os.PathLike, target: str | os.PathLike) -> Path:
    """Write a consistent copy of the SQLite database file `database` to the new file `target`; returns it."""
    database, target = Path(database), Path(target).absolute()
    if not database.is_file():
        raise BackupError(f"the database {database} does not exist (nothing was written).")
    refuse_target(target)
    try:
        fd, partial = tempfile.mkstemp(prefix=f".{target.name}.", suffix=".partial", dir=target.parent)
    except OSError as exc:
        raise BackupError(f"cannot write {target}: {exc.strerror} (nothing was written).") from exc
    os.close(fd)
    leftovers = (partial, partial + "-journal", partial + "-wal", partial + "-shm")
    try:
        _copy(database, partial)
        with open(partial, "rb") as copy:  # on disk before it gets its name
            os.fsync(copy.fileno())
        _give_name(partial, target)
    except sqlite3.Error as exc:
        raise BackupError(f"the copy failed: {exc} (nothing was written).") from exc
    except OSError as exc:
        raise BackupError(f"cannot write {target}: {exc.strerror or exc} (nothing was written).") from exc
    finally:
        _remove_quietly(*leftovers)
    directory = os.open(target.parent, os.O_RDONLY)
    try:
        os.fsync(directory)  # the new name, too, survives a power cut
    finally:
        os.close(directory)
    return target
