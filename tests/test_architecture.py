"""The package's imports follow docs/architecture.md: no import circle, no import from a higher
layer. Every import statement counts, including those inside functions (which hide circles from
Python but not from a reader); only ``if TYPE_CHECKING:`` blocks are left out."""

from __future__ import annotations

import ast
from pathlib import Path

import pytest

PACKAGE = Path(__file__).resolve().parent.parent / "src" / "skateboard"

#: docs/architecture.md's layers, lowest first (module name prefixes below ``skateboard.``).
LAYERS = [
    ("errors", "jsonsafe", "workspace", "jitcache", "quantity_memo", "units", "physics", "table", "checks"),
    ("cycles", "spec", "markets", "targets"),
    ("engine",),
    ("procedures",),
    ("selection", "inputs", "results", "evaluation", "report"),
    ("economics", "explore", "optimise", "validation"),
    ("api", ""),          # "" is the package itself (skateboard/__init__.py)
    ("cli", "web"),
]


def _modules() -> dict[str, Path]:
    out = {}
    for p in PACKAGE.rglob("*.py"):
        parts = list(p.relative_to(PACKAGE.parent).with_suffix("").parts)
        if parts[-1] == "__init__":
            parts = parts[:-1]
        out[".".join(parts)] = p
    return out


MODULES = _modules()


def _resolve(name: str) -> str | None:
    while name and name not in MODULES:
        name = name.rpartition(".")[0]
    return name or None


def _is_type_checking(node: ast.If) -> bool:
    t = node.test
    return (isinstance(t, ast.Name) and t.id == "TYPE_CHECKING") or (
        isinstance(t, ast.Attribute) and t.attr == "TYPE_CHECKING")


def _imports(module: str, path: Path) -> set[str]:
    tree = ast.parse(path.read_text(encoding="utf-8"))
    package = module if path.name == "__init__.py" else module.rpartition(".")[0]
    skip = {id(n) for node in ast.walk(tree) if isinstance(node, ast.If) and _is_type_checking(node)
            for b in node.body for n in ast.walk(b)}
    out = set()
    for node in ast.walk(tree):
        if id(node) in skip:
            continue
        if isinstance(node, ast.Import):
            out |= {_resolve(a.name) for a in node.names if a.name.startswith("skateboard")}
        elif isinstance(node, ast.ImportFrom):
            base = node.module or ""
            if node.level:
                parts = package.split(".")[: len(package.split(".")) - node.level + 1]
                base = ".".join(parts + ([base] if base else []))
            if base.startswith("skateboard"):
                for a in node.names:  # a submodule imported by name, else the module itself
                    out.add(_resolve(f"{base}.{a.name}") if f"{base}.{a.name}" in MODULES
                            else _resolve(base))
    out.discard(None)
    out.discard(module)
    return out


GRAPH = {m: _imports(m, p) for m, p in MODULES.items()}


def _layer(module: str) -> int:
    rest = module[len("skateboard."):] if module != "skateboard" else ""
    head = rest.split(".")[0]
    for i, names in enumerate(LAYERS):
        if head in names:
            return i
    raise AssertionError(f"{module} is in no layer of docs/architecture.md")


def test_every_module_has_a_layer():
    for m in MODULES:
        _layer(m)


def test_no_import_circle():
    # Tarjan's strongly connected components; any component of two or more modules is a circle
    index, low, stack, on, circles, counter = {}, {}, [], set(), [], [0]

    def visit(v):
        index[v] = low[v] = counter[0]
        counter[0] += 1
        stack.append(v)
        on.add(v)
        for w in GRAPH[v]:
            if w not in index:
                visit(w)
                low[v] = min(low[v], low[w])
            elif w in on:
                low[v] = min(low[v], index[w])
        if low[v] == index[v]:
            comp = []
            while True:
                w = stack.pop()
                on.discard(w)
                comp.append(w)
                if w == v:
                    break
            if len(comp) > 1:
                circles.append(sorted(comp))

    for v in GRAPH:
        if v not in index:
            visit(v)
    assert circles == []


def test_no_import_from_a_higher_layer():
    upward = [f"{m} (layer {_layer(m)}) imports {d} (layer {_layer(d)})"
              for m, deps in GRAPH.items() for d in deps if _layer(d) > _layer(m)
              and not (d == "skateboard" and m.startswith("skateboard."))]
    assert upward == []


#: What the CLI and the web app may import from the package: the public API and the layer-0
#: helpers (docs/architecture.md, "The public API is the front door").
FRONT_DOOR = ("skateboard.api", "skateboard.errors", "skateboard.jsonsafe", "skateboard.workspace")


def test_cli_and_web_use_only_the_public_api():
    back_doors = [f"{m} imports {d}" for m, deps in GRAPH.items()
                  if m.startswith(("skateboard.cli", "skateboard.web"))
                  for d in deps if not d.startswith(("skateboard.cli", "skateboard.web"))
                  and d not in FRONT_DOOR]
    assert back_doors == []


@pytest.mark.parametrize("source, expect", [
    ("def f():\n    from skateboard.b import x\n", {"skateboard.b"}),
    ("if TYPE_CHECKING:\n    from skateboard.b import x\n", set()),
])
def test_the_walker_sees_imports_inside_functions(tmp_path, source, expect, monkeypatch):
    # the check itself can fail: an import inside a function is found, a typing-only one is not
    monkeypatch.setitem(MODULES, "skateboard.a", tmp_path / "a.py")
    monkeypatch.setitem(MODULES, "skateboard.b", tmp_path / "b.py")
    (tmp_path / "a.py").write_text(source)
    assert _imports("skateboard.a", tmp_path / "a.py") == expect
