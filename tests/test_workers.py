"""Helper processes: work leaves the bot's process, a dead helper loses no work, and reading
ahead understands exactly what reading on the spot understands."""

from __future__ import annotations

import os
from datetime import UTC, date, datetime
from zoneinfo import ZoneInfo

import pytest

from bot.nlu import understand
from bot.nlu.pipeline import read
from bot.read_ahead import ReadAhead
from bot.workers import Workers
from tests.support import SteppedClock

TODAY = date(2026, 12, 2)
TZ = ZoneInfo("Europe/Amsterdam")
TEXTS = (
    "Mijn pakket 4471234 is nog steeds niet geleverd, al twee weken!",
    "The engineer did not show up on Monday and nobody called me back.",
    "Ok",  # no vote either way: the conversation's language stays
    "Ja",
    "Thanks, dank u wel",
)


def _die_unless_in(pid: int) -> str:
    if os.getpid() != pid:
        os._exit(1)  # a helper killed mid-call, as the OOM killer would
    return "done here"


async def test_work_runs_in_a_helper_process_and_here_without_one() -> None:
    helpers, none = Workers(1), Workers(0)
    await helpers.start()
    await none.start()
    try:
        assert helpers.elsewhere
        assert not none.elsewhere
        assert await helpers.run(os.getpid) != os.getpid()
        assert await none.run(os.getpid) == os.getpid()
    finally:
        await helpers.close()
        await none.close()


async def test_a_helper_that_dies_loses_no_work_and_is_replaced() -> None:
    workers = Workers(1)
    await workers.start()
    try:
        assert await workers.run(_die_unless_in, os.getpid()) == "done here"
        assert workers.elsewhere
        assert await workers.run(os.getpid) != os.getpid()  # a fresh helper
    finally:
        await workers.close()


@pytest.mark.parametrize("text", TEXTS)
def test_a_reading_settles_the_language_as_understanding_does(text: str) -> None:
    reading = read(text, today=TODAY)
    for previous in ("nl", "en", None):
        heard = reading.in_conversation(previous)
        assert heard == understand(text, today=TODAY, previous_language=previous)
    if text in ("Ok", "Ja"):
        assert reading.in_conversation("en").language == "en"
        assert reading.in_conversation("nl").language == "nl"


async def test_texts_read_ahead_are_understood_as_on_the_spot_and_taken_once() -> None:
    workers = Workers(1)
    await workers.start()
    clock = SteppedClock(datetime(2026, 12, 2, 23, 30, tzinfo=UTC))
    ahead = ReadAhead(workers, tz=TZ, clock=clock)
    today = date(2026, 12, 3)  # already tomorrow in Amsterdam
    try:
        ahead.start(enumerate(TEXTS))
        await ahead.settle(range(len(TEXTS)))
        for text in TEXTS:
            heard = ahead.understand(text, today=today, previous_language="en")
            assert heard == understand(text, today=today, previous_language="en")
        assert ahead.used == len(TEXTS)
        # Taken once: asked again, the text is read on the spot, to the same result.
        again = ahead.understand(TEXTS[0], today=today, previous_language="nl")
        assert again == understand(TEXTS[0], today=today, previous_language="nl")
        assert ahead.used == len(TEXTS)
    finally:
        await ahead.close()
        await workers.close()


async def test_without_helpers_nothing_is_read_ahead() -> None:
    ahead = ReadAhead(Workers(0), tz=TZ, clock=lambda: datetime(2026, 12, 2, 9, tzinfo=UTC))
    ahead.start([(1, TEXTS[0])])
    await ahead.settle([1])
    today = TODAY
    assert ahead.understand(TEXTS[0], today=today) == understand(TEXTS[0], today=today)
    assert ahead.used == 0
