"""docs/security.md cannot go stale silently: every test, file and function it cites exists."""

from __future__ import annotations

import re
from pathlib import Path

ROOT = Path(__file__).resolve().parents[2]
PAGE = (ROOT / "docs" / "security.md").read_text(encoding="utf-8")

# `tests/web/test_auth.py::test_name` and `accelerator/http.py` or `accelerator/http.py::register_http`
TEST_REFERENCE = re.compile(r"`(tests/[\w/]+\.py)::(\w+)`")
CODE_REFERENCE = re.compile(r"`(accelerator/[\w/.]+?)(?:::(\w+))?`")


def _defines(path: Path, name: str) -> bool:
    """Whether the file defines a function or class of that name (at any depth: views nest in registrars)."""
    source = path.read_text(encoding="utf-8")
    return re.search(rf"^\s*(?:async\s+def|def|class)\s+{re.escape(name)}\b", source, re.MULTILINE) is not None


def _missing(references: list[tuple[str, str]]) -> list[str]:
    """The references whose file is not there or does not define the name."""
    missing = []
    for path, name in references:
        file = ROOT / path
        if not file.exists():
            missing.append(f"{path} (no such file)")
        elif name and not _defines(file, name):
            missing.append(f"{path}::{name}")
    return missing


def test_the_page_cites_tests_and_code_in_every_area():
    assert len(TEST_REFERENCE.findall(PAGE)) >= 50
    assert len(CODE_REFERENCE.findall(PAGE)) >= 30
    for heading in ("V6 Authentication", "V7 Session Management", "V8 Authorization", "V5 File Handling",
                    "V4 API and Web Service", "Webhooks", "V3 Web Frontend Security", "V16 Security Logging",
                    "## Gaps"):
        assert heading in PAGE


def test_every_cited_test_exists():
    assert _missing(TEST_REFERENCE.findall(PAGE)) == []


def test_every_cited_file_and_function_of_the_app_exists():
    assert _missing(CODE_REFERENCE.findall(PAGE)) == []


def test_a_reference_to_something_gone_is_caught():
    assert _missing([("tests/web/test_auth.py", "test_that_was_never_written")]) == [
        "tests/web/test_auth.py::test_that_was_never_written"]
    assert _missing([("accelerator/no_such_module.py", "")]) == ["accelerator/no_such_module.py (no such file)"]
    assert _missing([("tests/web/test_auth.py", "test_logout_needs_post")]) == []


def test_the_readme_links_the_page():
    assert "(docs/security.md)" in (ROOT / "README.md").read_text(encoding="utf-8")
