"""Every word a customer or handler reads comes from templates/, rendered here."""

from __future__ import annotations

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
        autoescape=select_autoescape(enabled_extensions=("html",), default=False),
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


def render_message(language: str, template: str, /, **context: Any) -> str:
    return render(f"messages/{language}/{template}.txt.j2", **context)


def all_template_names() -> list[str]:
    return sorted(environment().list_templates(extensions=["j2"]))
