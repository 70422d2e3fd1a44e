"""The core asks a channel's traits, never its name (issue 16): no module in `bot/` compares
a channel against a channel's name, except the per-channel wiring and the settings, which are
about one channel by design. Naming a channel is fine elsewhere (a label in the CLI, the
handler group that lives on Telegram, staff mail); comparing one is not, since that is what
makes a new channel touch the core.

The names are the registered adapters' names, so a new adapter is covered from the start."""

from __future__ import annotations

import ast
from pathlib import Path
from typing import TypeGuard

import pytest

from channels.base import ChannelTraits
from channels.registry import ADAPTERS, CHAT, TRAITS, mail_channel, traits_of

ROOT = Path(__file__).resolve().parent.parent
NAMES = frozenset(TRAITS)

# Modules that are about one channel by design.
PER_CHANNEL = ("bot/runtime/*_wiring.py", "bot/config/*.py")


def _is_set_call(node: ast.AST) -> TypeGuard[ast.Call]:
    return (
        isinstance(node, ast.Call)
        and isinstance(node.func, ast.Name)
        and node.func.id in ("set", "frozenset")
    )


def _names_in(node: ast.AST) -> set[str]:
    """Channel names a literal is or holds: "email", {"email"}, ("email", ...),
    frozenset({"email"})."""
    if isinstance(node, ast.Constant) and node.value in NAMES:
        return {node.value}
    if isinstance(node, ast.Set | ast.Tuple | ast.List):
        return {name for element in node.elts for name in _names_in(element)}
    if _is_set_call(node):
        return _names_in(node.args[0]) if node.args else set()
    return set()


def comparisons(source: str) -> list[tuple[int, str]]:
    """(line, name) for every comparison with a channel's name: `==`, `!=`, `in`, `is`, a
    `case` pattern, and a set of names (kept only to test membership in)."""
    found: list[tuple[int, str]] = []
    for node in ast.walk(ast.parse(source)):
        if isinstance(node, ast.Compare):
            for operand in (node.left, *node.comparators):
                found += [(node.lineno, name) for name in _names_in(operand)]
        elif isinstance(node, ast.MatchValue):
            found += [(node.lineno, name) for name in _names_in(node.value)]
        elif isinstance(node, ast.Set) or _is_set_call(node):
            found += [(node.lineno, name) for name in _names_in(node)]
    return sorted(set(found))


def _core_modules() -> list[Path]:
    exempt = {path for pattern in PER_CHANNEL for path in ROOT.glob(pattern)}
    return [path for path in sorted((ROOT / "bot").rglob("*.py")) if path not in exempt]


def test_the_core_compares_no_channel_name() -> None:
    found = [
        f"{path.relative_to(ROOT)}:{line}: compares with {name!r}; ask the channel's traits"
        for path in _core_modules()
        for line, name in comparisons(path.read_text(encoding="utf-8"))
    ]
    assert found == []


def test_the_allowances_still_exist() -> None:
    """An allowance for a file that no longer exists is a hole waiting for a new file."""
    for pattern in PER_CHANNEL:
        assert list(ROOT.glob(pattern)), pattern


@pytest.mark.parametrize(
    "source",
    [
        'if message.channel == "email":\n    pass',
        'offer = state.channel != "email"',
        'ok = "telegram" == via',
        'chat = case.channel in ("telegram", "console")',
        'WITH_CONTACT = frozenset({"email"})',
        'KNOWN = {"console"}',
        'match channel:\n    case "email":\n        pass',
    ],
)
def test_a_planted_comparison_is_found(source: str) -> None:
    assert comparisons(source)


@pytest.mark.parametrize(
    "source",
    [
        'await outbox.enqueue(session, channel="email", recipient=address)',
        'hints = {"email": "", "telegram": "set the token"}',
        'columns = ("role", "email", "telegram")',
        'if message.kind == "command":\n    pass',
    ],
)
def test_naming_a_channel_is_no_comparison(source: str) -> None:
    assert comparisons(source) == []


def _adapter_classes() -> set[str]:
    """Classes in channels/ with a `name` and an `inbound` stream: the adapters."""
    found: set[str] = set()
    for path in (ROOT / "channels").rglob("*.py"):
        for node in ast.walk(ast.parse(path.read_text(encoding="utf-8"))):
            if not isinstance(node, ast.ClassDef):
                continue
            assigned = {
                target.id
                for statement in node.body
                if isinstance(statement, ast.Assign)
                for target in statement.targets
                if isinstance(target, ast.Name)
            }
            methods = {
                statement.name
                for statement in node.body
                if isinstance(statement, ast.FunctionDef | ast.AsyncFunctionDef)
            }
            if "name" in assigned and "inbound" in methods:
                found.add(node.name)
    return found


def test_every_adapter_is_registered_once() -> None:
    """The core knows what an adapter is like only when it is in the registry."""
    assert _adapter_classes() == {adapter.__name__ for adapter in ADAPTERS}
    assert len(TRAITS) == len(ADAPTERS)  # no two adapters share a name


def test_each_adapter_declares_its_traits() -> None:
    assert traits_of("email") == ChannelTraits(
        whole_story=True, reaches_customer=True, mail_addresses=True, threads=True
    )
    assert traits_of("telegram") == ChannelTraits(buttons=True, edits=True)
    assert traits_of("console") == ChannelTraits()
    assert mail_channel() == "email"


def test_an_unknown_channel_is_a_plain_chat() -> None:
    assert traits_of("pigeon") is CHAT
    assert ChannelTraits() == CHAT
