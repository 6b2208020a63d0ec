"""The shape of the house (ARCHITECTURE.md): aeviz's import graph has no cycle, its arrows point one
way (the torch core imports nothing above it; only ui/ imports streamlit), and no module grows
past 300 lines. Read from the source with ast, imports inside functions included: the circle this
replaced ran through two function-level imports."""
import ast
from pathlib import Path

import numpy as np
import pytest
from scipy.sparse import csr_matrix
from scipy.sparse.csgraph import connected_components

ROOT = Path(__file__).resolve().parents[1]
PACKAGE = ROOT / "aeviz"
MAX_LINES = 300


def _module_name(path: Path) -> str:
    parts = path.relative_to(ROOT).with_suffix("").parts
    return ".".join(parts[:-1] if parts[-1] == "__init__" else parts)


MODULES = {_module_name(p): p for p in sorted(PACKAGE.rglob("*.py"))}


def _is_package(name: str) -> bool:
    return MODULES.get(name, Path()).name == "__init__.py"


def _type_checking_only(tree: ast.Module) -> set[int]:
    """The ids of the import nodes under `if TYPE_CHECKING:` (types only: nothing runs them)."""
    ids = set()
    for node in ast.walk(tree):
        if isinstance(node, ast.If) and getattr(node.test, "id", getattr(node.test, "attr", "")) == "TYPE_CHECKING":
            ids |= {id(n) for child in node.body for n in ast.walk(child)}
    return ids


def imports(name: str) -> dict[str, set[str]]:
    """What module `name` imports of aeviz at run time, and of what else (top-level package names):
    {"aeviz": {modules}, "other": {packages}}."""
    path = MODULES[name]
    tree = ast.parse(path.read_text(), str(path))
    skip = _type_checking_only(tree)
    here = name if _is_package(name) else name.rpartition(".")[0]
    found, other = set(), set()
    for node in ast.walk(tree):
        if id(node) in skip:
            continue
        if isinstance(node, ast.Import):
            for alias in node.names:
                (found if alias.name.split(".")[0] == "aeviz" else other).add(
                    alias.name if alias.name.startswith("aeviz") else alias.name.split(".")[0])
        elif isinstance(node, ast.ImportFrom):
            if node.level:
                base = here.rsplit(".", node.level - 1)[0] if node.level > 1 else here
                source = f"{base}.{node.module}" if node.module else base
            elif node.module.split(".")[0] == "aeviz":
                source = node.module
            else:
                other.add(node.module.split(".")[0])
                continue
            for alias in node.names:  # `from pkg import module` is an arrow to the module itself
                sub = f"{source}.{alias.name}"
                found.add(sub if sub in MODULES else source)
    return {"aeviz": {m for m in found if m in MODULES and m != name}, "other": other}


GRAPH = {name: imports(name) for name in MODULES}


def test_the_graph_reads_the_imports_it_should():
    """The reader itself, on known arrows: function-level, relative, `from pkg import module`."""
    assert "aeviz.nets.loop" in GRAPH["aeviz.estimator"]["aeviz"]
    assert "aeviz.nets.graph" in GRAPH["aeviz.projections"]["aeviz"]
    assert "aeviz.lessons" in GRAPH["aeviz.jobs.work"]["aeviz"]  # imported inside a function
    assert "aeviz.lessons.verdict" not in GRAPH["aeviz.figures.lessons"]["aeviz"]  # a type only
    assert "torch" in GRAPH["aeviz.nets.loop"]["other"]


def test_no_import_cycle_among_aeviz_modules():
    names = list(MODULES)
    index = {n: i for i, n in enumerate(names)}
    rows, cols = zip(*[(index[a], index[b]) for a in names for b in GRAPH[a]["aeviz"]])
    adjacency = csr_matrix((np.ones(len(rows)), (rows, cols)), shape=(len(names), len(names)))
    _, labels = connected_components(adjacency, directed=True, connection="strong")
    circles = [sorted(n for n in names if labels[index[n]] == label)
               for label in set(labels) if (labels == label).sum() > 1]
    assert not circles, f"import cycles: {circles}"


def test_a_cycle_would_be_found():
    """The check above on a graph that has one: it must not pass by construction."""
    adjacency = csr_matrix(np.array([[0, 1, 0], [0, 0, 1], [1, 0, 0]]))
    assert connected_components(adjacency, directed=True, connection="strong")[0] == 1


@pytest.mark.parametrize("name", sorted(MODULES))
def test_no_module_is_over_300_lines(name):
    n = len(MODULES[name].read_text().splitlines())
    assert n <= MAX_LINES, f"{MODULES[name].relative_to(ROOT)} has {n} lines: split it by meaning"


# What each floor may import of aeviz (ARCHITECTURE.md): the bottom two, and figures, which take
# results and return figures.
BOTTOM = {"aeviz.config", "aeviz.i18n", "aeviz.failures"}
MAY_IMPORT = {
    "aeviz.nets": BOTTOM | {"aeviz.noise"},
    "aeviz.figures": BOTTOM,
    "aeviz.metrics": BOTTOM,
    "aeviz.noise": BOTTOM,
    "aeviz.config": set(),
}


@pytest.mark.parametrize("room", sorted(MAY_IMPORT))
def test_the_lower_floors_import_nothing_above_them(room):
    for name in MODULES:
        if name == room or name.startswith(room + "."):
            above = {m for m in GRAPH[name]["aeviz"] if not m.startswith(room) and m not in MAY_IMPORT[room]}
            assert not above, f"{name} imports {sorted(above)}, above its floor"


# ARCHITECTURE.md's floors, top first: a room imports only rooms on the floors beneath its own.
FLOORS = [
    {"__main__"},
    {"ui", "cli"},
    {"jobs", "report"},
    {"analysis", "cost"},
    {"lessons", "projections"},
    {"estimator", "weights"},
    {"nets", "upload"},
    {"data", "noise"},
    {"figures", "export", "tables", "metrics"},
    {"failures"},
    {"config", "i18n"},
]


def _room(name: str) -> str:
    return name.split(".")[1] if name != "aeviz" else ""


def test_every_arrow_points_down_the_floors():
    floor = {room: i for i, rooms in enumerate(FLOORS) for room in rooms}
    rooms = {_room(n) for n in MODULES} - {""}
    assert rooms == set(floor), f"rooms without a floor: {sorted(rooms - set(floor))}, or gone"
    up = [(a, b) for a in MODULES for b in GRAPH[a]["aeviz"] if _room(a) and _room(b) not in ("", _room(a))
          and floor[_room(b)] <= floor[_room(a)]]
    assert not up, f"arrows that run up or sideways: {up}"


def test_only_the_ui_imports_streamlit():
    users = sorted(n for n in MODULES if "streamlit" in GRAPH[n]["other"] and not n.startswith("aeviz.ui"))
    assert not users, f"streamlit imported outside aeviz/ui: {users}"
