"""The documentation's commands work as written.

Every `klachtbot …` line in a shell block (```sh) of README.md and docs/*.md is run here, in
order, in a temporary folder with its own settings and a fresh SQLite database: the README's
story makes case K-2026-000001, on which the later commands act. Absolute paths in a
command (/etc/klachtbot/…) are moved under that folder. A command that needs a mail server,
Telegram or a service manager is named in `ELSEWHERE` with the test that runs it instead.
Besides: every command and option named anywhere in the docs (tables, prose) exists, every
`make` target named exists, and the README stays short.
"""

from __future__ import annotations

import ast
import importlib
import os
import re
import shlex
import subprocess
import sys
from collections.abc import Iterator
from dataclasses import dataclass
from importlib.metadata import entry_points
from pathlib import Path
from typing import Any

import pytest
import typer
from typer.testing import CliRunner

ROOT = Path(__file__).resolve().parent.parent
README = ROOT / "README.md"
DOCS = (README, *sorted((ROOT / "docs").glob("*.md")))
README_MAX_LINES = 250

# Commands the docs name that cannot run here (they need a mail server, Telegram or a quarantined
# mail): the test that runs them. Every other command the docs name must be run by the docs
# themselves, in a shell block.
ELSEWHERE: dict[tuple[str, ...], str] = {
    ("run",): "tests/test_telegram_run.py::test_klachtbot_run_serves_telegram_when_a_token_is_set",
    ("mail", "quarantine", "retry"): (
        "tests/test_quarantine_cli.py::test_a_mail_that_can_be_read_now_joins_the_intake"
    ),
    ("handlers", "passwd"): (
        "tests/web/test_desk_cli.py::"
        "test_passwd_reads_the_password_from_stdin_and_stores_an_argon2id_hash"
    ),
    ("improvements", "add"): "tests/reports/test_improvements.py::test_improvements_commands",
    ("improvements", "list"): "tests/reports/test_improvements.py::test_improvements_commands",
    ("improvements", "done"): "tests/reports/test_improvements.py::test_improvements_commands",
}

# Options the docs already describe that the CLI does not have yet; a test below fails as
# soon as one of them exists, so the list cannot outlive its reason.
PENDING: dict[tuple[str, ...], frozenset[str]] = {}

CASE = "K-2026-000001"
# What each command's output must show, besides exit code 0. Every command the docs run
# needs an entry: a command without one fails the test, so nothing is run unchecked.
EXPECT: dict[tuple[str, ...], str] = {
    ("chat",): CASE,
    ("classify",): r'"intent": "\w+"',
    ("init",): r"klachtbot\.toml",
    ("config", "show"): r'"database": \{',
    ("db", "upgrade"): r"\b\d{4}\b",
    ("cases", "list"): CASE,
    ("cases", "show"): CASE,
    ("cases", "note"): CASE,
    ("cases", "agree"): CASE,
    ("cases", "resolve"): CASE,
    ("cases", "reopen"): CASE,
    ("cases", "assign"): "Piet Jansen",
    ("handlers", "list"): "Sanne de Boer",
    ("handlers", "away"): "Sanne de Boer",
    ("report",): r"\bcomplaint\b",
    ("outbox", "list"): r"\S",
    ("outbox", "retry"): r"\bnone\b|\d",
    ("mail", "quarantine", "list"): r"\S",
    ("cases", "hold"): CASE,
    ("privacy", "export"): r"privacy-export-\d+\.json",
    ("privacy", "erase"): r"Erased: \d+ cases",
}

SETTINGS = """
[organisation]
language = "en"
[workers]
processes = 0
[calendar]
quiet_hours = ""
[privacy]
hash_key = "a-key-for-the-docs-test"
[[handlers]]
name = "Sanne de Boer"
email = "sanne@example.nl"
role = "handler"
[[handlers]]
name = "Piet Jansen"
email = "piet@example.nl"
role = "substitute"
"""


def cli() -> typer.Typer:
    """The app behind the installed `klachtbot` command, wherever the code keeps it."""
    (script,) = entry_points(group="console_scripts", name="klachtbot")
    app = importlib.import_module(script.module).app
    assert isinstance(app, typer.Typer)
    return app


def command_tree() -> Any:
    """The command tree (Typer's own click objects: a group's `commands`, a command's
    `params`)."""
    return typer.main.get_command(cli())


def subcommands(command: Any) -> dict[str, Any]:
    found: dict[str, Any] = getattr(command, "commands", {})
    return found


@dataclass(frozen=True)
class Block:
    doc: Path
    line: int  # where the block's first line is, for messages
    language: str
    lines: tuple[str, ...]


def fenced_blocks(doc: Path) -> Iterator[Block]:
    lines = doc.read_text(encoding="utf-8").splitlines()
    start: int | None = None
    language = ""
    for number, line in enumerate(lines, 1):
        if line.startswith("```"):
            if start is None:
                start, language = number, line[3:].strip()
            else:
                yield Block(doc, start + 1, language, tuple(lines[start : number - 1]))
                start = None


def shell_blocks() -> Iterator[Block]:
    for doc in DOCS:
        yield from (block for block in fenced_blocks(doc) if block.language in ("sh", "shell"))


@dataclass(frozen=True)
class Step:
    """One thing a shell block does that the doc-test repeats: write a here-document, or run
    klachtbot with `args` (and `env` set on the line)."""

    where: str
    args: tuple[str, ...] = ()
    env: tuple[tuple[str, str], ...] = ()
    file: str = ""
    content: str = ""


def program_at(words: list[str], top: Any) -> int | None:
    """Where `klachtbot` is the program in a shell line: the first word (after VAR=value), or
    a later word naming the program (`docker exec NAME klachtbot …`, `sudo -u USER
    /opt/…/klachtbot …`) followed by one of its commands or its --config option."""
    first = next((i for i, word in enumerate(words) if not _assignment(word)), None)
    for i, word in enumerate(words):
        if Path(word).name != "klachtbot":
            continue
        following = words[i + 1] if i + 1 < len(words) else ""
        if i == first or following in subcommands(top) or following == "--config":
            return i
    return None


def _assignment(word: str) -> bool:
    return re.fullmatch(r"[A-Za-z_][A-Za-z0-9_]*=.*", word) is not None


def _split(assignment: str) -> tuple[str, str]:
    name, _, value = assignment.partition("=")
    return name, value


def steps() -> list[Step]:
    top = command_tree()
    found: list[Step] = []
    for block in shell_blocks():
        heredoc: tuple[str, str, list[str]] | None = None
        pending = ""
        for offset, raw in enumerate(block.lines):
            where = f"{block.doc.name}:{block.line + offset}"
            if heredoc is not None:
                name, tag, body = heredoc
                if raw.strip() == tag:
                    found.append(Step(where, file=name, content="\n".join(body) + "\n"))
                    heredoc = None
                else:
                    body.append(raw)
                continue
            opened = re.match(r"cat > (\S+) <<'?(\w+)'?\s*$", raw.strip())
            if opened:
                heredoc = (opened[1], opened[2], [])
                continue
            line = pending + raw
            if line.endswith("\\"):
                pending = line[:-1] + " "
                continue
            pending = ""
            words = shlex.split(line, comments=True)
            at = program_at(words, top)
            if at is None:
                continue
            args = words[at + 1 :]
            for i, word in enumerate(args):
                if word in ("|", ">", ">>", "&&", ";"):
                    args = args[:i]
                    break
            env = tuple(_split(word) for word in words[:at] if _assignment(word))
            found.append(Step(where, args=tuple(args), env=env))
    return found


def command_path(args: tuple[str, ...] | list[str], top: Any) -> tuple[str, ...]:
    """The subcommand words in `args` (`cases list` of `--config F cases list --json`)."""
    path: list[str] = []
    group = top
    rest = list(args)
    while rest:
        word = rest.pop(0)
        if word == "--config":
            rest = rest[1:]
            continue
        if word not in subcommands(group):
            break
        path.append(word)
        group = subcommands(group)[word]
    return tuple(path)


def options_of(path: tuple[str, ...], top: Any) -> set[str]:
    command = top
    for word in path:
        command = subcommands(command)[word]
    known = {"--help"}
    for param in command.params:
        known.update(param.opts)
        known.update(param.secondary_opts)
    return known


def rerooted(word: str, root: Path) -> str:
    """An absolute path moved under the test's folder (its parent made)."""
    if not word.startswith("/"):
        return word
    moved = root / word.lstrip("/")
    moved.parent.mkdir(parents=True, exist_ok=True)
    return str(moved)


def test_readme_is_short() -> None:
    count = len(README.read_text(encoding="utf-8").splitlines())
    assert count <= README_MAX_LINES, f"README.md has {count} lines; keep it to 250"


def test_the_docs_commands_run(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    top = command_tree()
    settings = tmp_path / "settings.toml"
    settings.write_text(SETTINGS, encoding="utf-8")
    work = tmp_path / "work"
    work.mkdir()
    monkeypatch.chdir(work)
    for name in [name for name in os.environ if name.startswith("KLACHTBOT_")]:
        monkeypatch.delenv(name)
    monkeypatch.setenv("KLACHTBOT_CONFIG", str(settings))
    monkeypatch.setenv("COLUMNS", "120")
    runner = CliRunner()
    ran: set[tuple[str, ...]] = set()
    for step in steps():
        if step.file:
            (work / step.file).write_text(step.content, encoding="utf-8")
            continue
        written = shlex.join(step.args)
        path = command_path(step.args, top)
        if path in ELSEWHERE:
            continue
        args = [rerooted(word, tmp_path / "root") for word in step.args]
        if path == ("init",) and not any(word.endswith(".toml") for word in args):
            (work / "klachtbot.toml").unlink(missing_ok=True)  # init refuses to overwrite
        env = dict(step.env)
        if path == ("chat",):
            # The chat sets up logging for its whole process: it gets a process of its own.
            done = subprocess.run(
                [sys.executable, "-m", "bot", *args],
                env={**os.environ, **env},
                capture_output=True,
                text=True,
                timeout=120,
                check=False,
            )
            code, output = done.returncode, done.stdout + done.stderr
        else:
            result = runner.invoke(cli(), args, env=env)
            code, output = result.exit_code, result.output
        assert code == 0, f"{step.where}: `klachtbot {written}` exited {code}:\n{output}"
        assert path in EXPECT, f"{step.where}: `klachtbot {written}`: add what it must print"
        assert re.search(EXPECT[path], output), (
            f"{step.where}: `klachtbot {written}` printed no /{EXPECT[path]}/:\n{output}"
        )
        ran.add(path)
    assert {("chat",), ("cases", "show")} <= ran, "the README's tour is not run"


def test_every_command_named_is_run_here_or_elsewhere() -> None:
    top = command_tree()
    run_here = {command_path(step.args, top) for step in steps() if not step.file}
    named = run_here | {command_path(words, top) for _, words in mentioned_commands()}
    named.discard(())
    for path in sorted(named - run_here - ELSEWHERE.keys()):
        raise AssertionError(
            f"`klachtbot {' '.join(path)}` is named in the docs but never run: show it in a "
            "shell block, or name the test that runs it in ELSEWHERE"
        )
    for path, test in ELSEWHERE.items():
        assert path in named, f"`klachtbot {' '.join(path)}` is no longer in the docs: drop it"
        file, _, name = test.partition("::")
        tree = ast.parse((ROOT / file).read_text(encoding="utf-8"))
        names = {
            node.name
            for node in ast.walk(tree)
            if isinstance(node, ast.FunctionDef | ast.AsyncFunctionDef)
        }
        assert name in names, f"{test} (for `klachtbot {' '.join(path)}`) does not exist"


def mentioned_commands() -> Iterator[tuple[str, list[str]]]:
    """Every `klachtbot …` in inline code and tables, as words (placeholders included)."""
    for doc in DOCS:
        text = re.sub(r"^```.*?^```", "", doc.read_text(encoding="utf-8"), flags=re.M | re.S)
        for span in re.findall(r"`([^`\n]+)`", text):
            words = span.replace("\\|", " ").replace("[", " ").replace("]", " ").split()
            if len(words) > 1 and words[0] == "klachtbot":
                yield f"{doc.name}: `{span}`", words[1:]


def test_every_command_and_option_named_exists() -> None:
    top = command_tree()
    mentions = list(mentioned_commands())
    assert len(mentions) > 10, "the commands table went missing"
    for where, words in mentions:
        path = command_path(words, top)
        if words[0] == "--config" and words[2:] in ([], ["…"]):
            continue  # the global option on its own: `klachtbot --config FILE …`
        assert path, f"{where}: no such klachtbot command"
        options = {word.split("=")[0] for word in words if word.startswith("--")}
        options -= {"--config"}
        unknown = options - options_of(path, top) - PENDING.get(path, frozenset())
        assert not unknown, f"{where}: `{' '.join(path)}` has no option {sorted(unknown)}"


def test_pending_options_are_still_pending() -> None:
    top = command_tree()
    for path, options in PENDING.items():
        landed = options & options_of(path, top)
        assert not landed, (
            f"`klachtbot {' '.join(path)}` has {sorted(landed)} now: take them out of PENDING"
        )


def make_targets() -> set[str]:
    variables: dict[str, str] = {}
    targets: set[str] = set()
    for line in (ROOT / "Makefile").read_text(encoding="utf-8").splitlines():
        assigned = re.match(r"([A-Z_]+)\s*[:?]?=\s*(.*)$", line)
        if assigned:
            variables[assigned[1]] = assigned[2].strip()
            continue
        rule = re.match(r"([^\s:#=][^:=]*):(?!=)", line)
        if rule:
            expanded = re.sub(r"\$\((\w+)\)", lambda m: variables.get(m[1], ""), rule[1])
            expanded = re.sub(r"\$\((\w+)\)", lambda m: variables.get(m[1], ""), expanded)
            targets.update(expanded.split())
    return targets


def test_every_make_target_named_exists() -> None:
    targets = make_targets()
    named: list[tuple[str, str]] = []
    for doc in DOCS:
        text = doc.read_text(encoding="utf-8")
        for block in fenced_blocks(doc):
            if block.language in ("sh", "shell"):
                named += [(doc.name, line) for line in block.lines]
        named += [(doc.name, span) for span in re.findall(r"`([^`\n]+)`", text)]
    checked = 0
    for where, line in named:
        words = shlex.split(line, comments=True) if line.strip() else []
        if not words or words[0] != "make":
            continue
        for word in words[1:]:
            if word.startswith("-") or "=" in word:
                continue
            assert word in targets, f"{where}: `{line.strip()}`: the Makefile has no {word!r}"
            checked += 1
    assert checked >= 3, "no make target found in the docs"


def test_every_link_to_a_file_resolves() -> None:
    checked = 0
    for doc in DOCS:
        text = doc.read_text(encoding="utf-8")
        for target in re.findall(r"\]\(([^)\s]+)\)", text):
            if re.match(r"[a-z]+:", target):
                continue  # a web address
            file = (doc.parent / target.split("#")[0]).resolve()
            assert file.exists(), f"{doc.name} links to {target}, which does not exist"
            checked += 1
    assert checked >= 5, "no links found in the docs"
