"""Where a case is, without who lives there: the address without its house number.

Reports count complaints per complex (a building or street of a housing association) and an
erased case keeps that much, so the count survives an erasure without keeping the person."""

from __future__ import annotations

import re

_HOUSE_NUMBER = re.compile(r"\s+\d+\s*[a-zA-Z]?(?:[-/ ]\s*\d+[a-zA-Z]?)?\b")


def complex_of(address: str) -> str:
    return " ".join(_HOUSE_NUMBER.sub("", address).split()).strip(" ,").lower()
