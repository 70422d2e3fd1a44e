"""Cutting a reply down to what the customer newly wrote, in Dutch and English.

Everything from the first sign of the earlier conversation is dropped: an attribution line
("Op … schreef …:", "On … wrote:"), an Outlook header block or separator, a `-- `
signature, a "sent from my phone" line. Lines quoted with `>` are dropped wherever they
are, so an answer written between quoted lines (inline or bottom posting) is kept.
"""

from __future__ import annotations

import re

_FLAGS = re.IGNORECASE | re.DOTALL
_ATTRIBUTION = re.compile(
    r"^(?:op|on|am|le)\s.{0,300}?"
    r"(?:\bschreef\b.{0,200}|\bheeft\b.{0,200}\bgeschreven|\bwrote|\bschrieb\b.{0,200}"
    r"|\ba écrit)\s*:\s*$",
    _FLAGS,
)
# A customer may well write "Op 3 november schreef ik:"; a client's attribution carries a
# time or an address, or is followed by the quote it introduces.
_ATTRIBUTION_EVIDENCE = re.compile(r"@|\b\d{1,2}[:.]\d{2}\b")
_SEPARATOR = re.compile(
    r"^\s*-{2,}\s*(?:original message|oorspronkelijk (?:e-?mail)?bericht|origineel bericht"
    r"|forwarded message|doorgestuurd bericht|ursprüngliche nachricht|message d'origine)"
    r"\s*-{2,}\s*$",
    re.IGNORECASE,
)
_RULE = re.compile(r"^\s*_{10,}\s*$")
_HEADER_START = re.compile(r"^\s*\**(?:van|from|von|de)\s*:\**\s*\S", re.IGNORECASE)
_HEADER_FIELD = re.compile(
    r"^\s*\**(?:verzonden|sent|datum|date|aan|to|onderwerp|subject|cc|gesendet|an|betreff"
    r"|envoyé|à|objet)\s*:",
    re.IGNORECASE,
)
_DEVICE = (
    r"(?:iphone|ipad|ipod|apple watch|android|samsung|galaxy|huawei|xiaomi|oneplus|pixel"
    r"|nokia|motorola|blackberry|smartphone|mobiel|mobiele|mobile|telefoon|phone|tablet"
    r"|outlook|gmail|yahoo|proton\s?mail|mail (?:voor|for) windows)"
)
_SENT_FROM = re.compile(
    r"^\s*(?:verzonden|verstuurd|gestuurd|sent|envoyé|gesendet)\s+"
    r"(?:vanaf|vanuit|van|via|met|from|with|using|on|von|depuis)\s+"
    r"(?:mijn|my|een|an?|de|the|mein(?:em)?)?\s*" + _DEVICE + r"\b.{0,40}$",
    re.IGNORECASE,
)
_GET_APP = re.compile(r"^\s*(?:get|download|haal)\s+outlook\s+(?:for|voor)\s+\w+\s*$", re.I)
_HEADER_WINDOW = 10
_ATTRIBUTION_LINES = 3


def _quoted(line: str) -> bool:
    return line.lstrip().startswith(">")


def _signature(line: str) -> bool:
    stripped = line.rstrip()
    return stripped == "--" or bool(_SENT_FROM.match(line) or _GET_APP.match(line))


def _header_block(lines: list[str], index: int) -> bool:
    if not _HEADER_START.match(lines[index]):
        return False
    window = lines[index + 1 : index + 1 + _HEADER_WINDOW]
    return sum(1 for line in window if _HEADER_FIELD.match(line)) >= 2


def _next_content(lines: list[str], index: int) -> int | None:
    for position in range(index, len(lines)):
        if lines[position].strip():
            return position
    return None


def _ruled_header(lines: list[str], index: int) -> bool:
    following = _next_content(lines, index + 1)
    return (
        bool(_RULE.match(lines[index]))
        and following is not None
        and _header_block(lines, following)
    )


def _attribution(lines: list[str], index: int) -> int:
    """How many lines the attribution starting at `index` spans (clients wrap long ones);
    0 when there is none."""
    if not re.match(r"^\s*(?:op|on|am|le)\s", lines[index], re.IGNORECASE):
        return 0
    for span in range(1, _ATTRIBUTION_LINES + 1):
        window = lines[index : index + span]
        if len(window) < span or any(not line.strip() or _quoted(line) for line in window):
            return 0
        joined = " ".join(line.strip() for line in window)
        if not _ATTRIBUTION.match(joined) or not re.search(r"\d", joined):
            continue
        following = _next_content(lines, index + span)
        introduces_quote = following is not None and _quoted(lines[following])
        if introduces_quote or _ATTRIBUTION_EVIDENCE.search(joined):
            return span
    return 0


def _answers_between_quotes(lines: list[str], start: int) -> bool:
    """Whether the customer wrote between or below the quoted lines after `start`."""
    seen_quote = False
    for index in range(start, len(lines)):
        line = lines[index]
        if _quoted(line):
            seen_quote = True
        elif not line.strip():
            continue
        elif _ends_new_text(lines, index):
            return False
        else:
            return seen_quote
    return False


def _ends_new_text(lines: list[str], index: int) -> bool:
    line = lines[index]
    return (
        _signature(line)
        or bool(_SEPARATOR.match(line))
        or _ruled_header(lines, index)
        or _header_block(lines, index)
    )


def strip_quoted(text: str) -> str:
    lines = text.replace("\r\n", "\n").replace("\r", "\n").split("\n")
    dropped: set[int] = set()
    end = len(lines)
    for index in range(len(lines)):
        if index in dropped or _quoted(lines[index]):
            continue
        if _ends_new_text(lines, index):
            end = index
            break
        span = _attribution(lines, index)
        if span:
            if not _answers_between_quotes(lines, index + span):
                end = index
                break
            dropped.update(range(index, index + span))

    kept: list[str] = []
    for index, line in enumerate(lines[:end]):
        if index in dropped or _quoted(line):
            continue
        line = line.rstrip()
        if line or (kept and kept[-1]):
            kept.append(line)
    return "\n".join(kept).strip("\n")
