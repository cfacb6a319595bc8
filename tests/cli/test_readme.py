"""The README stands alone: what it points to is in the repository, and its commands run as printed."""

from __future__ import annotations

import re
from pathlib import Path

ROOT = Path(__file__).resolve().parents[2]
README = (ROOT / "README.md").read_text(encoding="utf-8")


def test_the_readme_points_only_inside_the_repository():
    assert "../" not in README
    linked = re.findall(r"\]\(([^)#]+)\)", README)
    named = re.findall(r"`((?:docs|scripts|bench|accelerator|tests|migrations|static|templates)/[\w./-]+)`", README)
    assert "docs/api.md" in linked
    missing = [path for path in {*linked, *named} if not (ROOT / path).exists()]
    assert missing == []


def test_every_flask_command_in_the_readme_names_the_virtualenv():
    commands = [line.strip() for line in README.splitlines() if re.match(r"\s*(\S*/)?flask --app", line)]
    assert commands, "the README shows flask commands"
    assert all(c.startswith(".venv/bin/flask --app wsgi") for c in commands), commands


def test_the_api_reference_documents_every_served_path(app):
    reference = (ROOT / "docs" / "api.md").read_text(encoding="utf-8")
    documented = {re.sub(r"\{[^}]*\}", "{}", path) for path in re.findall(r"/api/v1/[\w{}/.-]*[\w}]", reference)}
    served = {re.sub(r"<[^>]*>", "{}", rule.rule) for rule in app.url_map.iter_rules()
              if rule.rule.startswith("/api/v1/")}
    assert sorted(served - documented) == []
