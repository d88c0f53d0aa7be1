"""The house's plan, checked: the README's layer map is the import-linter contract in
pyproject.toml, the contract holds, and bench/'s scripts import each other in no circle."""

from __future__ import annotations

import ast
import re
import subprocess
import sys
import tomllib
from pathlib import Path

import pytest

REPO_ROOT = Path(__file__).resolve().parents[1]
PYPROJECT = tomllib.loads((REPO_ROOT / "pyproject.toml").read_text(encoding="utf-8"))
LINTER = PYPROJECT["tool"]["importlinter"]
LINT_IMPORTS = Path(sys.executable).with_name("lint-imports")


def contract(contract_id: str) -> dict:
    (found,) = [c for c in LINTER["contracts"] if c["id"] == contract_id]
    return found


def lint_imports(config: Path) -> subprocess.CompletedProcess[str]:
    return subprocess.run(
        [str(LINT_IMPORTS), "--config", str(config), "--no-cache"],
        cwd=REPO_ROOT,
        capture_output=True,
        text=True,
        timeout=300,
    )


def test_the_import_contract_holds():
    result = lint_imports(REPO_ROOT / "pyproject.toml")
    assert result.returncode == 0, result.stdout + result.stderr
    kept = len(LINTER["contracts"])
    assert f"Contracts: {kept} kept, 0 broken." in result.stdout


def test_the_contract_reads_the_real_imports(tmp_path):
    """Turned upside down, the layers contract must break: it checks imports, not names."""
    upside_down = tmp_path / "upside_down.toml"
    layers = contract("layers")["layers"]
    upside_down.write_text(
        "[tool.importlinter]\n"
        f"root_packages = {LINTER['root_packages']!r}\n\n"
        "[[tool.importlinter.contracts]]\n"
        'id = "layers"\nname = "upside down"\ntype = "layers"\n'
        f"layers = {list(reversed(layers))!r}\n".replace("'", '"'),
        encoding="utf-8",
    )
    result = lint_imports(upside_down)
    assert result.returncode != 0
    assert "is not allowed to import" in result.stdout


def test_every_package_is_in_the_contract_and_installed():
    packages = set(PYPROJECT["tool"]["setuptools"]["packages"])
    assert set(LINTER["root_packages"]) == packages
    assert set(contract("layers")["layers"]) == packages
    assert set(contract("no-circles")["ancestors"]) == packages
    on_disk = {p.parent.name for p in REPO_ROOT.glob("*/__init__.py")}
    assert on_disk == packages


def test_the_readme_layer_map_is_the_contract():
    readme = (REPO_ROOT / "README.md").read_text(encoding="utf-8")
    section = readme.split("## Layer map", 1)[1].split("\n## ", 1)[0]
    listed = re.findall(r"^\| `(\w+)/` \|", section, flags=re.MULTILINE)
    assert listed == list(reversed(contract("layers")["layers"])), (
        "the README lists the layers lowest first, as the contract in pyproject.toml has them"
    )


def bench_imports() -> dict[str, set[str]]:
    scripts = {path.stem: path for path in (REPO_ROOT / "bench").glob("*.py")}
    graph: dict[str, set[str]] = {}
    for name, path in scripts.items():
        imported: set[str] = set()
        for node in ast.walk(ast.parse(path.read_text(encoding="utf-8"))):
            if isinstance(node, ast.Import):
                imported |= {alias.name.split(".")[0] for alias in node.names}
            elif isinstance(node, ast.ImportFrom) and node.module and not node.level:
                imported.add(node.module.split(".")[0])
        graph[name] = imported & (scripts.keys() - {name})
    return graph


def find_circle(graph: dict[str, set[str]]) -> list[str] | None:
    visiting: list[str] = []
    done: set[str] = set()

    def visit(node: str) -> list[str] | None:
        if node in visiting:
            return [*visiting[visiting.index(node) :], node]
        if node in done:
            return None
        visiting.append(node)
        for target in sorted(graph[node]):
            if circle := visit(target):
                return circle
        visiting.pop()
        done.add(node)
        return None

    for node in sorted(graph):
        if circle := visit(node):
            return circle
    return None


@pytest.mark.parametrize(
    ("graph", "circle"),
    [
        pytest.param({"a": {"b"}, "b": set()}, None, id="a-line"),
        pytest.param({"a": {"b"}, "b": {"a"}}, ["a", "b", "a"], id="two-scripts"),
        pytest.param({"a": {"b"}, "b": {"c"}, "c": {"a"}}, ["a", "b", "c", "a"], id="three"),
    ],
)
def test_find_circle(graph, circle):
    assert find_circle(graph) == circle


def test_bench_scripts_import_in_no_circle():
    graph = bench_imports()
    assert graph, "bench/ holds scripts"
    assert find_circle(graph) is None
