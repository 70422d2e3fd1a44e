"""Understanding customer text at most once per step.

`Dialogue.step` reads every customer message to spot an emergency and follow the language,
then the transition reads the same text again (an answer, a correction, a mail whose story is
that one message). Understanding is a pure function, so the second read can take the first
one's result from a small memo instead of costing another pass.
"""

from __future__ import annotations

from datetime import date
from threading import Lock
from typing import Protocol

from bot.nlu import Language, Understanding


class Understander(Protocol):
    """A pure function of its arguments. `previous_language` only breaks ties in the choice of
    language, so reading a text again with the language it was read in gives the same result."""

    def __call__(
        self, text: str, *, today: date, previous_language: Language | None = None
    ) -> Understanding: ...


_Key = tuple[str, date, Language]


class Reader:
    """`understand` with the last few results remembered; safe to share between threads."""

    def __init__(self, understand: Understander, size: int = 8) -> None:
        self._understand = understand
        self._size = size
        self._memo: dict[_Key, Understanding] = {}
        self._lock = Lock()

    def __call__(self, text: str, *, today: date, previous_language: Language) -> Understanding:
        with self._lock:
            known = self._memo.get((text, today, previous_language))
        if known is not None:
            return known
        heard = self._understand(text, today=today, previous_language=previous_language)
        with self._lock:
            self._remember((text, today, previous_language), heard)
            # After this read the conversation continues in `heard.language`, and the next read
            # of the same text passes that as the previous language: file the result there too.
            self._remember((text, today, heard.language), heard)
        return heard

    def _remember(self, key: _Key, heard: Understanding) -> None:
        self._memo.pop(key, None)
        self._memo[key] = heard
        while len(self._memo) > self._size:
            del self._memo[next(iter(self._memo))]
