"""The layers hold: no import cycles, no private name taken from another module, the layer rules (GUIDE.md).

Read from the source with `ast` (nothing is imported or run), counting imports made inside functions too.
"""

from __future__ import annotations

import ast
from dataclasses import dataclass
from functools import cache
from pathlib import Path

ROOT = Path(__file__).resolve().parents[2]
PACKAGE = "accelerator"

# What each layer must never import (by module name prefix).
FORBIDDEN = {
    "accelerator.domain": ("flask", "werkzeug", "sqlalchemy", "accelerator.extensions", "accelerator.models",
                           "accelerator.services", "accelerator.web", "accelerator.api"),
    "accelerator.models": ("accelerator.services", "accelerator.web", "accelerator.api"),
    "accelerator.services": ("accelerator.web", "accelerator.api"),
    # The declared shapes: below the services that write them and the API that reads them (shapes/__init__.py);
    # they read rows they are given (models named for type checking only), never the database.
    "accelerator.shapes": ("sqlalchemy", "accelerator.extensions", "accelerator.services", "accelerator.web",
                           "accelerator.api"),
}


@dataclass(frozen=True)
class Module:
    """One source file of the package: its dotted name, whether it is a package's __init__, its tree."""

    name: str
    is_package: bool
    tree: ast.Module


@dataclass(frozen=True)
class Import:
    """One import statement's target as Python resolves it, with the names it takes (`from x import a, b`)."""

    importer: str
    target: str
    names: tuple[str, ...]
    line: int


@cache
def modules() -> dict[str, Module]:
    """Every module of the package, by dotted name."""
    found = {}
    for path in sorted((ROOT / PACKAGE).rglob("*.py")):
        parts = list(path.relative_to(ROOT).with_suffix("").parts)
        is_package = parts[-1] == "__init__"
        if is_package:
            parts.pop()
        name = ".".join(parts)
        found[name] = Module(name, is_package, ast.parse(path.read_text(encoding="utf-8"), str(path)))
    return found


def _absolute(module: Module, node: ast.ImportFrom) -> str:
    """The module a `from ... import` names, relative imports resolved."""
    if node.level == 0:
        return node.module or ""
    base = module.name.split(".")
    if not module.is_package:
        base.pop()
    base = base[: len(base) - (node.level - 1)]
    return ".".join([*base, *([node.module] if node.module else [])])


@cache
def imports() -> tuple[Import, ...]:
    """Every import statement of the package, at any depth (inside functions too)."""
    found = []
    for module in modules().values():
        for node in ast.walk(module.tree):
            if isinstance(node, ast.Import):
                found += [Import(module.name, alias.name, (), node.lineno) for alias in node.names]
            elif isinstance(node, ast.ImportFrom):
                found.append(Import(module.name, _absolute(module, node), tuple(a.name for a in node.names),
                                    node.lineno))
    return tuple(found)


def _ancestors(name: str) -> list[str]:
    """`a.b.c` -> [`a`, `a.b`]: the packages Python runs before the module."""
    parts = name.split(".")
    return [".".join(parts[:i]) for i in range(1, len(parts))]


@cache
def dependencies() -> dict[str, set[str]]:
    """module -> the package's modules that importing it runs: each import's target (a name that is a
    submodule counts as that submodule) and the packages above a target that are not above the importer."""
    known = modules()
    graph: dict[str, set[str]] = {name: set() for name in known}
    for imp in imports():
        targets = [f"{imp.target}.{n}" if f"{imp.target}.{n}" in known else imp.target for n in imp.names]
        for target in targets or [imp.target]:
            above = set(_ancestors(imp.importer))
            reached = [name for name in _ancestors(target) if name not in above and name != PACKAGE]
            graph[imp.importer].update(name for name in [*reached, target] if name in known and name != imp.importer)
    return graph


def cycles(graph: dict[str, set[str]]) -> list[list[str]]:
    """The strongly connected components of more than one module (Tarjan's algorithm, iterative)."""
    index: dict[str, int] = {}
    low: dict[str, int] = {}
    stack: list[str] = []
    on_stack: set[str] = set()
    found = []
    for root in sorted(graph):
        if root in index:
            continue
        work = [(root, iter(sorted(graph[root])))]
        index[root] = low[root] = len(index)
        stack.append(root)
        on_stack.add(root)
        while work:
            node, children = work[-1]
            child = next(children, None)
            if child is not None:
                if child not in index:
                    index[child] = low[child] = len(index)
                    stack.append(child)
                    on_stack.add(child)
                    work.append((child, iter(sorted(graph[child]))))
                elif child in on_stack:
                    low[node] = min(low[node], index[child])
                continue
            work.pop()
            if work:
                low[work[-1][0]] = min(low[work[-1][0]], low[node])
            if low[node] == index[node]:
                component = []
                while True:
                    member = stack.pop()
                    on_stack.discard(member)
                    component.append(member)
                    if member == node:
                        break
                if len(component) > 1:
                    found.append(sorted(component))
    return found


def _private(name: str) -> bool:
    """`_name`, not `__dunder__`."""
    return name.startswith("_") and not name.endswith("__")


def private_names_taken() -> list[str]:
    """`from x import _name` and `x._name`, where x is another of the package's modules."""
    known = modules()
    found = []
    for imp in imports():
        for name in imp.names:
            if _private(name) and imp.target.startswith(PACKAGE) and f"{imp.target}.{name}" not in known:
                found.append(f"{imp.importer}:{imp.line} from {imp.target} import {name}")
    for module in known.values():
        aliases = {}
        for node in ast.walk(module.tree):
            if isinstance(node, ast.Import):
                for alias in node.names:
                    if alias.name in known:
                        aliases[alias.asname or alias.name] = alias.name
            elif isinstance(node, ast.ImportFrom):
                source = _absolute(module, node)
                for alias in node.names:
                    if f"{source}.{alias.name}" in known:
                        aliases[alias.asname or alias.name] = f"{source}.{alias.name}"
        for node in ast.walk(module.tree):
            if isinstance(node, ast.Attribute) and _private(node.attr):
                chain, value = [], node.value
                while isinstance(value, ast.Attribute):
                    chain.insert(0, value.attr)
                    value = value.value
                if isinstance(value, ast.Name) and value.id in aliases:
                    owner = ".".join([aliases[value.id], *chain])
                    if owner in known and owner != module.name:
                        found.append(f"{module.name}:{node.lineno} {owner}.{node.attr}")
    return sorted(found)


def layer_offences() -> set[tuple[str, str]]:
    """(importer, imported) pairs where a layer imports what it must never import."""
    found = set()
    for imp in imports():
        for layer, banned in FORBIDDEN.items():
            if imp.importer == layer or imp.importer.startswith(layer + "."):
                targets = [f"{imp.target}.{n}" for n in imp.names] + [imp.target]
                for target in targets:
                    if any(target == b or target.startswith(b + ".") for b in banned):
                        found.add((imp.importer, imp.target))
    return found


def test_the_reader_sees_every_module_and_import():
    """The rules below read what they claim to: the app factory, a service, a function-level import."""
    assert {"accelerator", "accelerator.services.coverage.checks", "accelerator.web.reports.admin"} <= set(modules())
    assert "accelerator.web" in dependencies()["accelerator"]  # create_app imports it inside the function


def test_there_is_no_import_cycle():
    """No module, through what it imports (inside functions too), comes back to itself."""
    assert cycles(dependencies()) == []


def test_a_cycle_is_found_where_there_is_one():
    """The cycle finder itself: a loop of three, and a chain without one."""
    assert cycles({"a": {"b"}, "b": {"c"}, "c": {"a"}, "d": {"a"}}) == [["a", "b", "c"]]
    assert cycles({"a": {"b"}, "b": {"c"}, "c": set()}) == []


def test_no_private_name_is_taken_from_another_module():
    """A `_name` is its module's own: what another module needs is public there, with a docstring."""
    assert private_names_taken() == []


def test_each_layer_imports_only_what_lies_below_it():
    """domain/ is pure; models/ never reach up; services/ never import the adapters (web/, api/); shapes/ import
    neither the database nor the services."""
    assert layer_offences() == set()


def _faces() -> dict[str, dict[str, str]]:
    """package -> {name: the submodule it comes from} for each name in the package's `__all__`."""
    faces = {}
    for module in modules().values():
        if not module.is_package:
            continue
        handed_on = {alias.asname or alias.name: _absolute(module, node) for node in module.tree.body
                     if isinstance(node, ast.ImportFrom) for alias in node.names}
        exported = [node for node in module.tree.body if isinstance(node, ast.Assign)
                    and any(isinstance(target, ast.Name) and target.id == "__all__" for target in node.targets)]
        if exported:
            names = ast.literal_eval(exported[0].value)
            faces[module.name] = {name: handed_on[name] for name in names if name in handed_on}
    return faces


def test_a_package_face_is_the_one_road_to_its_names():
    """A name in a package's `__all__` is imported from the package, by the app and the tests alike: its
    submodule is no second address for it."""
    faces = _faces()
    assert "accelerator.services.sellers" in faces and "accelerator.web.reports" in faces
    found = []
    for path in sorted([*(ROOT / PACKAGE).rglob("*.py"), *(ROOT / "tests").rglob("*.py")]):
        importer = ".".join(path.relative_to(ROOT).with_suffix("").parts)
        for node in ast.walk(ast.parse(path.read_text(encoding="utf-8"))):
            if not isinstance(node, ast.ImportFrom) or not node.module or node.level:
                continue
            for package, names in faces.items():
                if node.module.startswith(package + ".") and not importer.startswith(package + "."):
                    found += [f"{importer}: {alias.name} from {node.module}" for alias in node.names
                              if names.get(alias.name) == node.module]
    assert found == []
