"""Every migration says whether it expands or contracts the schema, and an expand migration removes nothing
the code before it uses (migrations/README, "The rule: expand, then contract")."""

from __future__ import annotations

import ast
import re
from pathlib import Path

import pytest

VERSIONS = Path(__file__).resolve().parents[2] / "migrations" / "versions"
DEPLOY_LINE = re.compile(r"^Deploy: (expand|contract)$", re.MULTILINE)
# Operations that break the code before the migration: never in an expand migration's upgrade().
BREAKING_CALLS = {"drop_table", "drop_column", "rename_table"}
BREAKING_SQL = re.compile(r"\b(DROP\s+(TABLE|COLUMN)|RENAME\s+(TO|COLUMN)|SET\s+NOT\s+NULL)\b", re.IGNORECASE)


def _migrations() -> list[Path]:
    return sorted(VERSIONS.glob("*.py"))


def _keyword(call: ast.Call, name: str):
    """The constant value of a keyword argument (None when absent or not a constant)."""
    for keyword in call.keywords:
        if keyword.arg == name and isinstance(keyword.value, ast.Constant):
            return keyword.value.value
    return None


def _has_keyword(call: ast.Call, name: str) -> bool:
    return any(keyword.arg == name for keyword in call.keywords)


def breaking_operations(source: str) -> list[str]:
    """What upgrade() does that the code before the migration would not survive."""
    tree = ast.parse(source)
    upgrade = next(node for node in tree.body if isinstance(node, ast.FunctionDef) and node.name == "upgrade")
    found = []
    for node in ast.walk(upgrade):
        if isinstance(node, ast.Constant) and isinstance(node.value, str) and BREAKING_SQL.search(node.value):
            found.append(f"SQL {node.value.strip()[:60]!r}")
        if not isinstance(node, ast.Call) or not isinstance(node.func, ast.Attribute):
            continue
        name = node.func.attr
        if name in BREAKING_CALLS:
            found.append(name)
        elif name == "alter_column" and (_keyword(node, "nullable") is False or _has_keyword(node, "new_column_name")):
            found.append("alter_column (NOT NULL or renamed)")
        elif name == "add_column":
            columns = [arg for arg in node.args if isinstance(arg, ast.Call)]
            for column in columns:
                if _keyword(column, "nullable") is False and not _has_keyword(column, "server_default"):
                    found.append("add_column NOT NULL without a server default")
    return found


@pytest.mark.parametrize("path", _migrations(), ids=lambda path: path.name.split("_")[0])
def test_every_migration_says_expand_or_contract_and_an_expand_one_breaks_nothing(path):
    source = path.read_text()
    docstring = ast.get_docstring(ast.parse(source)) or ""
    kinds = DEPLOY_LINE.findall(docstring)
    assert len(kinds) == 1, f"{path.name}: its docstring needs one line 'Deploy: expand' or 'Deploy: contract'"
    if kinds[0] == "expand":
        assert breaking_operations(source) == [], f"{path.name} is marked expand but breaks the older code"


def test_the_checker_finds_what_would_break_the_older_code():
    source = '''
def upgrade():
    with op.batch_alter_table("policies") as batch_op:
        batch_op.drop_column("certificate_token")
        batch_op.alter_column("seller_id", new_column_name="seller")
        batch_op.alter_column("name", existing_type=sa.String(), nullable=False)
        batch_op.add_column(sa.Column("kind", sa.String(), nullable=False))
        batch_op.add_column(sa.Column("flag", sa.Boolean(), nullable=False, server_default=sa.false()))
        batch_op.add_column(sa.Column("note", sa.Text(), nullable=True))
    op.execute("ALTER TABLE quotes RENAME COLUMN a TO b")
    op.drop_table("old")


def downgrade():
    op.drop_table("new")
'''
    assert sorted(breaking_operations(source)) == sorted([
        "drop_column", "alter_column (NOT NULL or renamed)", "alter_column (NOT NULL or renamed)",
        "add_column NOT NULL without a server default", "SQL 'ALTER TABLE quotes RENAME COLUMN a TO b'",
        "drop_table",
    ])  # not downgrade()'s drop_table, nor the column with a server default, nor the nullable one


def test_a_new_migration_starts_without_a_kind_until_its_author_picks_one():
    template = (VERSIONS.parent / "script.py.mako").read_text()
    assert "Deploy: expand or contract" in template
    assert not DEPLOY_LINE.search(template)
