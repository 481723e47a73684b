"""The house rules for imports: no circles between modules, imports point down only (features
-> engines -> foundation -> core), and no import hidden in a function to dodge a circle."""

import ast
import re
from collections import defaultdict
from pathlib import Path

PACKAGE = Path(__file__).resolve().parents[2] / "community"

# Lower layers first. A module may import from its own layer's package and from lower layers.
LAYERS = [
    {"core"},
    {"directory"},
    {"accounts"},
    {"notify", "capacity"},
    {"workorders"},
    {"repairs", "notices", "main", "bookings", "activities", "care", "timebank", "help"},
]
# Pages (modules with a blueprint) sit above every package's rules: the directory's admin page
# needs the role guard of accounts, though accounts' models stand on the directory's. Nothing
# but the top and the package's own pages imports a page.
PAGE = re.compile(r"^bp = Blueprint\(|^from community\.\w+\.\w+ import bp$", re.M)
# The top: the factory, the worker, the CLI and the demo put every feature together.
TOP = {"__init__", "worker", "cli", "demo"}


def module_name(path: Path) -> str:
    parts = path.relative_to(PACKAGE.parent).with_suffix("").parts
    return ".".join(parts[:-1] if parts[-1] == "__init__" else parts)


def modules() -> dict[str, Path]:
    return {module_name(path): path for path in PACKAGE.rglob("*.py")}


def imports_of(path: Path, known: set[str]) -> list[tuple[str, ast.stmt, bool]]:
    """(imported community module, the statement, whether it sits at module level)."""
    tree = ast.parse(path.read_text())
    top_level = set(map(id, tree.body))
    found = []
    for node in ast.walk(tree):
        names = []
        if isinstance(node, ast.Import):
            names = [alias.name for alias in node.names]
        elif isinstance(node, ast.ImportFrom) and node.module and node.level == 0:
            # `from community.x import y`: y may be a module of its own.
            names = [
                f"{node.module}.{alias.name}"
                if f"{node.module}.{alias.name}" in known
                else node.module
                for alias in node.names
            ]
        for name in names:
            if name.startswith("community"):
                found.append((name, node, id(node) in top_level))
    return found


def graph() -> dict[str, set[str]]:
    known = set(modules())
    edges = defaultdict(set)
    for name, path in modules().items():
        for target, _node, _top in imports_of(path, known):
            if target != name and target in known:
                edges[name].add(target)
    return edges


def find_cycle(edges: dict[str, set[str]]) -> list[str] | None:
    state: dict[str, int] = {}
    stack: list[str] = []

    def visit(node: str) -> list[str] | None:
        state[node] = 1
        stack.append(node)
        for nxt in sorted(edges.get(node, ())):
            if state.get(nxt) == 1:
                return [*stack[stack.index(nxt) :], nxt]
            if nxt not in state and (cycle := visit(nxt)):
                return cycle
        stack.pop()
        state[node] = 2
        return None

    for node in sorted(edges):
        if node not in state and (cycle := visit(node)):
            return cycle
    return None


def is_page(module: str) -> bool:
    """A module that declares a blueprint, or adds routes to its package's."""
    path = modules().get(module)
    return path is not None and PAGE.search(path.read_text()) is not None


def layer_of(module: str) -> float | None:
    parts = module.split(".")
    if len(parts) == 1 or parts[1] in TOP:
        return len(LAYERS)
    if is_page(module):
        return len(LAYERS) - 0.5
    for index, packages in enumerate(LAYERS):
        if parts[1] in packages:
            return index
    return None


def test_every_folder_is_in_a_layer():
    packages = {path.name for path in PACKAGE.iterdir() if (path / "__init__.py").exists()}
    assert packages <= set().union(*LAYERS)


def test_no_module_imports_itself_round_in_a_circle():
    edges = graph()
    assert len(edges) > 40  # the graph was read: every module imports something
    assert find_cycle(edges) is None


def test_the_cycle_finder_finds_a_cycle():
    assert find_cycle({"a": {"b"}, "b": {"c"}, "c": {"a"}}) == ["a", "b", "c", "a"]
    assert find_cycle({"a": {"b"}, "b": {"c"}}) is None


def test_imports_point_down_only():
    upward = [
        f"{source} -> {target}"
        for source, targets in graph().items()
        for target in targets
        if layer_of(target) > layer_of(source)
        # Features do not lean on each other: what two share belongs in an engine.
        or (
            layer_of(target) == layer_of(source) == len(LAYERS) - 1
            and source.split(".")[1] != target.split(".")[1]
        )
    ]
    assert upward == []


def test_only_the_top_and_its_own_package_import_a_page():
    wrong = [
        f"{source} -> {target}"
        for source, targets in graph().items()
        for target in targets
        if layer_of(target) == len(LAYERS) - 0.5
        and layer_of(source) != len(LAYERS)
        and source.split(".")[1] != target.split(".")[1]
    ]
    assert wrong == []


def test_no_import_hides_in_a_function_without_saying_why():
    known = set(modules())
    hidden = []
    for name, path in modules().items():
        lines = path.read_text().splitlines()
        for _target, node, top in imports_of(path, known):
            if top:
                continue
            before = lines[node.lineno - 2].strip() if node.lineno > 1 else ""
            if not before.startswith("#"):
                hidden.append(f"{name}:{node.lineno}")
    assert hidden == []
