"""Every word a customer or handler reads comes from templates/, rendered here."""

from __future__ import annotations

import zlib
from functools import cache
from importlib.resources import files
from pathlib import Path
from typing import Any

from jinja2 import Environment, FileSystemLoader, StrictUndefined, Template, select_autoescape


def templates_dir() -> Path:
    return Path(str(files("templates")))


@cache
def environment() -> Environment:
    return Environment(
        loader=FileSystemLoader(templates_dir()),
        # The web desk's pages (web/*.html.j2) are HTML: everything put in them is escaped.
        autoescape=select_autoescape(enabled_extensions=("html", "html.j2"), default=False),
        undefined=StrictUndefined,
        keep_trailing_newline=False,
        trim_blocks=True,
        lstrip_blocks=True,
        # Templates change with a release, not while the bot runs: no stat() per render.
        auto_reload=False,
    )


@cache
def template(name: str) -> Template:
    """Compiled once: jinja's own cache still takes a lock and a few lookups per render."""
    return environment().get_template(name)


def render(name: str, /, **context: Any) -> str:
    return template(name).render(**context).strip()


def labels(name: str, /) -> dict[str, str]:
    """A template of `key: text` lines (a language's words) as a mapping."""
    pairs = (line.split(":", 1) for line in render(name).splitlines() if ":" in line)
    return {key.strip(): text.strip() for key, text in pairs}


def render_message(language: str, template: str, /, **context: Any) -> str:
    return render(f"messages/{language}/{template}.txt.j2", **context)


def variant(case_id: int, template: str) -> int:
    """Which phrasing a case's message uses: templates take `variant % len(options)` from each
    list. One step per case, so two cases in a row never get the same phrasing from any list;
    the template's own offset keeps a case from starting every list at the same place."""
    return case_id + zlib.crc32(template.encode())


def all_template_names() -> list[str]:
    return sorted(environment().list_templates(extensions=["j2"]))
