"""Reading the mail corpus: real-world shapes of mail, one tricky case per file."""

from __future__ import annotations

from pathlib import Path

from channels.email import ParsedMail, parse_mail

CORPUS = Path(__file__).parent / "corpus"


def corpus_names() -> list[str]:
    return sorted(path.name for path in CORPUS.glob("*.eml"))


def raw(name: str) -> bytes:
    return (CORPUS / name).read_bytes()


def parsed(name: str) -> ParsedMail:
    return parse_mail(raw(name))
