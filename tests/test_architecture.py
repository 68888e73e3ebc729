"""The layout rules a newcomer relies on: no import cycles and no oversized modules.

Both read the source with `ast`, so every import counts: those inside functions and those under
`if TYPE_CHECKING:` included.
"""

import ast
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parent.parent
PACKAGES = ("finder", "providers", "config", "devtools")
MAX_LINES = 500
DATA_SHARE = 0.7  # a file with this share of its lines inside literals is data, not code


def project_modules() -> dict[str, Path]:
    modules = {}
    for package in PACKAGES:
        for path in (ROOT / package).rglob("*.py"):
            parts = path.relative_to(ROOT).with_suffix("").parts
            if parts[-1] == "__init__":
                parts = parts[:-1]
            modules[".".join(parts)] = path
    return modules


def imported_modules(path: Path, name: str, modules: dict[str, Path]) -> set[str]:
    """Project modules that `name` imports; `from package import module` names the module."""
    package = name if path.name == "__init__.py" else name.rpartition(".")[0]
    found = set()
    for node in ast.walk(ast.parse(path.read_text(), filename=str(path))):
        if isinstance(node, ast.Import):
            targets = [alias.name for alias in node.names]
        elif isinstance(node, ast.ImportFrom):
            base = node.module or ""
            if node.level:
                anchor = package.split(".")[: len(package.split(".")) - node.level + 1]
                base = ".".join([*anchor, base] if base else anchor)
            targets = [f"{base}.{alias.name}" for alias in node.names] + [base]
        else:
            continue
        for target in targets:
            while target and target not in modules:
                target = target.rpartition(".")[0]
            if target and target != name:
                found.add(target)
    return found


def import_cycles(graph: dict[str, set[str]]) -> list[list[str]]:
    """Strongly connected groups of more than one module (Tarjan's algorithm)."""
    index: dict[str, int] = {}
    low: dict[str, int] = {}
    stack: list[str] = []
    on_stack: set[str] = set()
    groups: list[list[str]] = []

    def visit(node: str) -> None:
        index[node] = low[node] = len(index)
        stack.append(node)
        on_stack.add(node)
        for neighbour in graph[node]:
            if neighbour not in index:
                visit(neighbour)
                low[node] = min(low[node], low[neighbour])
            elif neighbour in on_stack:
                low[node] = min(low[node], index[neighbour])
        if low[node] == index[node]:
            group = []
            while True:
                member = stack.pop()
                on_stack.discard(member)
                group.append(member)
                if member == node:
                    break
            if len(group) > 1:
                groups.append(sorted(group))

    for node in sorted(graph):
        if node not in index:
            visit(node)
    return groups


def test_cycle_finder_finds_a_cycle():
    graph = {"a": {"b"}, "b": {"c"}, "c": {"a"}, "d": {"a"}}
    assert import_cycles(graph) == [["a", "b", "c"]]
    assert import_cycles({"a": {"b"}, "b": set()}) == []


def test_no_import_cycles_between_project_modules():
    modules = project_modules()
    graph = {name: imported_modules(path, name, modules) for name, path in modules.items()}
    assert import_cycles(graph) == []


def literal_share(source: str) -> float:
    lines: set[int] = set()
    for node in ast.walk(ast.parse(source)):
        is_text = isinstance(node, ast.Constant) and isinstance(node.value, str)
        if is_text or isinstance(node, ast.List | ast.Tuple | ast.Dict | ast.Set):
            lines.update(range(node.lineno, (node.end_lineno or node.lineno) + 1))
    return len(lines) / max(1, len(source.splitlines()))


@pytest.mark.parametrize("package", ["finder", "providers"])
def test_no_module_over_500_lines_except_data_and_migrations(package):
    oversized = []
    for path in (ROOT / package).rglob("*.py"):
        if "migrations" in path.parts:
            continue
        source = path.read_text()
        if len(source.splitlines()) > MAX_LINES and literal_share(source) <= DATA_SHARE:
            oversized.append(f"{path.relative_to(ROOT)}: {len(source.splitlines())} lines")
    assert oversized == []
