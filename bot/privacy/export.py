"""A person's copy of their data: one JSON file for programs, one HTML page for people,
and next to them the files they sent (attachments) and each mail as it arrived."""

from __future__ import annotations

import json
import re
from dataclasses import fields
from datetime import datetime
from pathlib import Path
from typing import Any

from bot.privacy.items import Items
from common.templates import render

_UNSAFE = re.compile(r"[^A-Za-z0-9._-]+")
_RAW_EXTENSIONS = {"message/rfc822": ".eml", "application/json": ".json"}


def _plain(value: Any) -> Any:
    if isinstance(value, datetime):
        return value.isoformat()
    return value


def export_rows(
    items: Items, files_dir: str
) -> tuple[dict[str, list[dict[str, Any]]], dict[str, bytes]]:
    """Every row as plain data, by table; bytes become files (relative path -> bytes)."""
    tables: dict[str, list[dict[str, Any]]] = {}
    files: dict[str, bytes] = {}
    for section in fields(items):
        rows = []
        for row in getattr(items, section.name):
            data = {key: _plain(value) for key, value in row.model_dump().items()}
            blob = data.pop("data", None)
            if isinstance(blob, bytes):
                if section.name == "attachments":
                    name = _UNSAFE.sub("_", row.file_name or row.kind)
                    path = f"{files_dir}/attachment-{row.id}-{name}"
                else:
                    extension = _RAW_EXTENSIONS.get(row.content_type, ".bin")
                    path = f"{files_dir}/raw-{row.id}{extension}"
                files[path] = blob
                data["file"] = path
            rows.append(data)
        tables[section.name] = rows
    return tables, files


def write_export(
    items: Items, out: Path, *, customer_id: int, language: str, now: datetime
) -> list[Path]:
    """Write `privacy-export-<customer>.json` and `.html` and the files into `out`."""
    stem = f"privacy-export-{customer_id}"
    tables, files = export_rows(items, f"{stem}-files")
    out.mkdir(parents=True, exist_ok=True)
    written = []
    for relative, blob in files.items():
        path = out / relative
        path.parent.mkdir(exist_ok=True)
        path.write_bytes(blob)
        written.append(path)
    document = {"customer_id": customer_id, "exported_at": now.isoformat(), "tables": tables}
    json_path = out / f"{stem}.json"
    json_path.write_text(json.dumps(document, indent=2, ensure_ascii=False), encoding="utf-8")
    html_path = out / f"{stem}.html"
    html_path.write_text(
        render(f"privacy/{language}/export.html.j2", **document) + "\n", encoding="utf-8"
    )
    return [json_path, html_path, *written]
