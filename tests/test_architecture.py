"""Every import in the product keeps to docs/architecture.md: the table of packages and what
each may import, the pure packages and the I/O modules they may not import. The rules are
read from the page itself, so changing a rule means changing the page."""

from __future__ import annotations

import ast
import re
from dataclasses import dataclass
from functools import cache
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parent.parent
DOC = ROOT / "docs" / "architecture.md"
PRODUCT = ("bot", "channels", "common", "storage")
# Imports of these are ours: a product module may import them only as the table allows.
OURS = (*PRODUCT, "tests", "bench", "templates")
# What may sit directly in bot/ besides its packages: the entry point.
ENTRY_POINT = ("bot", "bot.cli")
BOT_ROOT_MODULES = re.compile(r"^bot(\.__main__)?$")

ROW = re.compile(r"^\| `(?P<package>[\w.]+)` \|(?P<owns>[^|]*)\|(?P<allowed>[^|]*)\|$")
NAMES = re.compile(r"`([\w.]+)`")


@dataclass(frozen=True)
class Rules:
    allowed: dict[str, tuple[str, ...]]  # package → names it may import
    pure: tuple[str, ...]
    io_modules: tuple[str, ...]

    def package_of(self, module: str) -> str | None:
        owners = [p for p in self.allowed if _within(module, p)]
        return max(owners, key=len) if owners else None


def _within(module: str, prefix: str) -> bool:
    return module == prefix or module.startswith(prefix + ".")


def _listed(text: str, label: str) -> tuple[str, ...]:
    match = re.search(rf"^{re.escape(label)}: (.+)$", text, re.MULTILINE)
    assert match, f"docs/architecture.md has no line starting with {label!r}"
    return tuple(NAMES.findall(match.group(1)))


@cache
def rules() -> Rules:
    text = DOC.read_text(encoding="utf-8")
    allowed = {
        match["package"]: tuple(NAMES.findall(match["allowed"]))
        for line in text.splitlines()
        if (match := ROW.match(line))
    }
    return Rules(allowed, _listed(text, "Pure packages"), _listed(text, "I/O modules"))


@cache
def modules() -> dict[str, Path]:
    """Every product module by dotted name; a package's own module is `<package>.__init__`,
    so its relative imports resolve from the package itself."""
    return {
        ".".join(path.relative_to(ROOT).with_suffix("").parts): path
        for top in PRODUCT
        for path in sorted((ROOT / top).rglob("*.py"))
    }


@cache
def importable() -> frozenset[str]:
    return frozenset(name.removesuffix(".__init__") for name in modules())


def imports(source: str, module: str) -> list[tuple[int, str]]:
    """(line, module) for every absolute or relative import in `source`, at any depth: a
    `from package import module` names the module, not just the package."""
    found: list[tuple[int, str]] = []
    for node in ast.walk(ast.parse(source)):
        if isinstance(node, ast.Import):
            found += [(node.lineno, alias.name) for alias in node.names]
        elif isinstance(node, ast.ImportFrom):
            base = node.module or ""
            if node.level:
                anchor = module.split(".")[: -node.level]
                base = ".".join([*anchor, base] if base else anchor)
            for alias in node.names:
                submodule = f"{base}.{alias.name}"
                found.append((node.lineno, submodule if submodule in importable() else base))
    return found


def violations(module: str, source: str) -> list[str]:
    """Each import of ours that `module`'s row does not allow, as `line: target`."""
    own = rules().package_of(module)
    assert own is not None, f"{module} belongs to no package in docs/architecture.md"
    allowed = rules().allowed[own]
    return [
        f"{line}: {target} ({own} may import: {', '.join(allowed) or '—'})"
        for line, target in imports(source, module)
        if target.split(".")[0] in OURS
        and rules().package_of(target) != own
        and not any(_within(target, name) for name in allowed)
    ]


def io_imports(module: str, source: str) -> list[str]:
    return [
        f"{line}: {target}"
        for line, target in imports(source, module)
        if any(_within(target, io) for io in rules().io_modules)
    ]


def test_the_page_states_a_rule_for_every_package() -> None:
    table = rules().allowed
    assert {"storage", "common", "channels", "bot"} <= set(table)
    for name, allowed in table.items():
        for target in allowed:
            assert any(_within(target, p) for p in table), f"{name} may import unknown {target}"
    for package in sorted((ROOT / "bot").iterdir()):
        if (package / "__init__.py").exists():
            assert f"bot.{package.name}" in table, f"bot/{package.name}/ has no row"
    for pure in rules().pure:
        assert pure in table, f"pure package {pure} has no row"
        for target in table[pure]:
            owner = rules().package_of(target)
            assert owner in rules().pure, f"pure {pure} may import {target}, which is not pure"


def test_no_flat_modules_in_bot_besides_the_entry_point_and_the_cli() -> None:
    flat = [m for m in importable() if m.count(".") == 1 and m.startswith("bot.")]
    strays = [m for m in flat if not BOT_ROOT_MODULES.match(m)]
    strays = [m for m in strays if not (ROOT / m.replace(".", "/")).is_dir()]
    assert strays == [], "modules belong in a concept package: " + ", ".join(strays)


def circles(table: dict[str, tuple[str, ...]]) -> list[str]:
    """The packages that may import themselves through others (the entry point aside, which
    imports the whole core by design)."""

    def owner(target: str) -> str | None:
        owners = [p for p in table if _within(target, p)]
        return max(owners, key=len) if owners else None

    def reaches(start: str) -> set[str]:
        seen: set[str] = set()
        todo = [start]
        while todo:
            for target in table[todo.pop()]:
                if (found := owner(target)) is not None and found not in seen:
                    seen.add(found)
                    todo.append(found)
        return seen

    return [p for p in table if p not in ENTRY_POINT and p in reaches(p)]


def test_the_packages_form_no_circle() -> None:
    assert circles(rules().allowed) == []
    assert circles({"a": ("b.x",), "b": ("c",), "c": ("a",)}) == ["a", "b", "c"]


@pytest.mark.parametrize("module", sorted(modules()))
def test_imports_keep_to_the_table(module: str) -> None:
    source = modules()[module].read_text(encoding="utf-8")
    assert violations(module, source) == [], modules()[module]


@pytest.mark.parametrize(
    "module", sorted(m for m in modules() if any(_within(m, p) for p in rules().pure))
)
def test_pure_packages_import_no_io(module: str) -> None:
    source = modules()[module].read_text(encoding="utf-8")
    assert io_imports(module, source) == [], modules()[module]


def test_the_checks_see_what_they_forbid() -> None:
    """The checks above would also pass on code they could not read."""
    channel = "from bot.intake import intake\nfrom common import clock\nfrom . import base\n"
    assert [target for _, target in imports("from .email import channel", "channels.__init__")] == [
        "channels.email.channel"
    ]
    assert violations("channels.console", channel) == [
        "1: bot.intake.intake (channels may import: common, bot.web.server)"
    ]
    assert violations("channels.telegram.channel", "from bot.web.server import WebServer") == []
    assert violations("storage.repo", "def f():\n    from channels.base import Channel\n") == [
        "2: channels.base (storage may import: —)"
    ]
    dialogue = "import asyncio\nif TYPE_CHECKING:\n    from storage import repo\n"
    assert io_imports("bot.dialogue.machine", dialogue) == ["1: asyncio"]
    assert violations("bot.dialogue.machine", dialogue) == [
        "3: storage.repo (bot.dialogue may import: bot.nlu, bot.policy)"
    ]
