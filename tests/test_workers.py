"""Helper processes: work leaves the bot's process; work that kills a helper is not run in
the bot, and of a block only the item that kills a helper is lost; helpers die with the bot,
also when it is killed, and ignore Ctrl-C; reading ahead understands exactly what reading on
the spot understands."""

from __future__ import annotations

import contextlib
import multiprocessing
import os
import select
import signal
import subprocess
import sys
import time
from collections.abc import Iterator
from datetime import UTC, date, datetime
from pathlib import Path
from zoneinfo import ZoneInfo

import pytest

from bot.nlu import understand
from bot.nlu.pipeline import read
from bot.reading.read_ahead import ReadAhead
from bot.reading.workers import Workers
from channels.base import WorkLost, run_here
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


GONE_WITHIN = 5.0  # seconds for the helpers to end after the bot was killed


def _die_unless_in(pid: int) -> str:
    if os.getpid() != pid:
        os._exit(1)  # a helper killed mid-call, as the OOM killer would
    return "ran in the bot"


def _double_or_die(numbers: list[int], bot_pid: int) -> list[int | str]:
    """One result per number; 13 kills the helper that reads it."""
    return [_die_unless_in(bot_pid) if number == 13 else 2 * number for number in numbers]


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


async def test_every_helper_runs_from_the_start() -> None:
    before = {child.pid for child in multiprocessing.active_children()}
    workers = Workers(2)
    await workers.start()
    try:
        # Not on demand: the pool counts a helper idle again after each finished call, so a
        # second helper started on demand might never come.
        started = {child.pid for child in multiprocessing.active_children()} - before
        assert len(started) == 2
    finally:
        await workers.close()


async def test_work_that_kills_a_helper_is_not_run_in_the_bot_and_a_new_helper_follows() -> None:
    workers = Workers(1)
    await workers.start()
    try:
        with pytest.raises(WorkLost, match="_die_unless_in"):
            await workers.run(_die_unless_in, os.getpid())
        assert workers.elsewhere
        assert await workers.run(os.getpid) != os.getpid()  # a fresh helper
    finally:
        await workers.close()


async def test_of_a_block_only_the_item_that_kills_a_helper_is_lost() -> None:
    workers = Workers(2)
    await workers.start()
    try:
        results = await workers.run_each(_double_or_die, [1, 2, 13, 4, 13], os.getpid())
        assert results[:2] == [2, 4]
        assert results[3] == 8
        for lost in (results[2], results[4]):
            assert isinstance(lost, WorkLost), lost  # not "ran in the bot"
        assert await workers.run_each(_double_or_die, [5, 6], os.getpid()) == [10, 12]
    finally:
        await workers.close()


async def test_without_helpers_a_block_runs_here() -> None:
    assert await Workers(0).run_each(_double_or_die, [1, 2], os.getpid()) == [2, 4]
    assert await run_here(_double_or_die, [3], os.getpid()) == [6]


@pytest.fixture
def bot_with_helpers(
    request: pytest.FixtureRequest, tmp_path: Path
) -> Iterator[tuple[subprocess.Popen[str], list[int]]]:
    """A bot process (tests/helpers_harness.py) in a process group of its own, once its two
    helpers run; `request.param`: Linux's parent-death signal "on" or "off"."""
    bot = subprocess.Popen(
        [
            sys.executable,
            "-m",
            "tests.helpers_harness",
            f"sqlite+aiosqlite:///{tmp_path / 'bot.db'}",
            request.param,
        ],
        stdout=subprocess.PIPE,
        stderr=subprocess.PIPE,
        text=True,
        start_new_session=True,  # Ctrl-C is sent to the group, as a terminal does
    )
    try:
        assert bot.stdout is not None
        for line in bot.stdout:
            if line.startswith("HELPERS"):
                yield bot, [int(pid) for pid in line.split()[1:]]
                break
        else:
            pytest.fail(f"the bot ended before its helpers ran: {bot.communicate()[1][-3000:]}")
    finally:
        if bot.poll() is None:
            bot.kill()
        bot.communicate()


def _running(pid: int) -> bool:
    """A process that has ended but was not yet reaped by its new parent counts as ended."""
    try:
        os.kill(pid, 0)
    except ProcessLookupError:
        return False
    try:
        state = Path(f"/proc/{pid}/stat").read_text().rpartition(")")[2].split()[0]
    except FileNotFoundError:
        # Ended just now; or a system without /proc, where os.kill has said it runs.
        return not Path("/proc/self/stat").exists()
    return state != "Z"


def _wait_until_gone(pids: list[int], *, within: float) -> list[int]:
    """Waits until none of `pids` runs or `within` seconds passed; what still runs. The
    helpers are not our children, so no wait(): each one's pidfd turns readable when it ends."""
    waiting: dict[int, int] = {}
    try:
        for pid in pids:
            with contextlib.suppress(ProcessLookupError):  # ended already
                waiting[os.pidfd_open(pid)] = pid
        ended = select.poll()
        for fd in waiting:
            ended.register(fd, select.POLLIN)
        deadline = time.monotonic() + within
        while waiting and (left := deadline - time.monotonic()) > 0:
            for fd, _ in ended.poll(left * 1000):
                ended.unregister(fd)
                os.close(fd)
                del waiting[fd]
        return sorted(waiting.values())
    finally:
        for fd in waiting:
            os.close(fd)


@pytest.mark.parametrize(
    "bot_with_helpers",
    ["on", "off"],
    ids=["parent-death-signal", "watchdog-only"],
    indirect=True,
)
def test_helpers_are_gone_soon_after_the_bot_is_killed(
    bot_with_helpers: tuple[subprocess.Popen[str], list[int]],
) -> None:
    bot, helpers = bot_with_helpers
    assert all(_running(pid) for pid in helpers)
    bot.kill()  # SIGKILL: the bot cannot stop its helpers itself
    bot.wait(timeout=10)
    assert _wait_until_gone(helpers, within=GONE_WITHIN) == []


@pytest.mark.parametrize("bot_with_helpers", ["on"], indirect=True)
def test_ctrl_c_stops_the_bot_and_its_helpers_without_a_traceback(
    bot_with_helpers: tuple[subprocess.Popen[str], list[int]],
) -> None:
    bot, helpers = bot_with_helpers
    os.killpg(bot.pid, signal.SIGINT)  # to every process of the group, helpers too
    out, err = bot.communicate(timeout=30)
    assert bot.returncode == 0, err[-3000:]
    assert "STOPPED" in out
    assert err == ""  # before: "Process SpawnProcess-1: ... KeyboardInterrupt" per helper
    assert _wait_until_gone(helpers, within=GONE_WITHIN) == []


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
