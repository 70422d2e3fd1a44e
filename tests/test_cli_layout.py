"""bot/cli/ has no import circle: `main` registers the command groups; they share only the
modules below them, and nothing imports `main` but the entry points."""

import ast
from graphlib import CycleError, TopologicalSorter
from pathlib import Path

import bot.cli

PACKAGE = Path(bot.cli.__file__).parent
SHARED = {"common", "output", "casefile", "showing"}


def cli_imports(path: Path) -> set[str]:
    """The bot.cli modules `path` imports, at any depth in the file."""
    found: set[str] = set()
    for node in ast.walk(ast.parse(path.read_text(encoding="utf-8"))):
        if isinstance(node, ast.ImportFrom) and node.module == "bot.cli":
            found |= {alias.name for alias in node.names}
        elif isinstance(node, ast.ImportFrom) and (node.module or "").startswith("bot.cli."):
            found.add((node.module or "").removeprefix("bot.cli.").split(".")[0])
        elif isinstance(node, ast.Import):
            found |= {
                alias.name.removeprefix("bot.cli.").split(".")[0]
                for alias in node.names
                if alias.name.startswith("bot.cli.")
            }
    return found


def test_command_groups_import_only_the_shared_modules_and_nothing_circles() -> None:
    graph = {path.stem: cli_imports(path) for path in PACKAGE.glob("*.py")}
    assert graph["__init__"] == set()
    for module, imported in graph.items():
        if module != "main":
            assert imported <= SHARED, f"bot.cli.{module} imports {imported - SHARED}"
    assert graph["main"] >= set(graph) - SHARED - {"main", "__init__"}  # every group registered
    try:
        tuple(TopologicalSorter(graph).static_order())
    except CycleError as exc:
        raise AssertionError(f"import circle in bot/cli: {exc.args[1]}") from None


def test_only_the_entry_points_import_main() -> None:
    root = PACKAGE.parent.parent
    users = {
        str(path.relative_to(root))
        for folder in ("bot", "channels", "storage")
        for path in (root / folder).rglob("*.py")
        if "main" in cli_imports(path) and path.parent != PACKAGE
    }
    assert users == {"bot/__main__.py"}
