"""Tidying chats in the background (channels/telegram/tidy.py): one chat's calls in the order
asked, a send waits for them, failures are logged and stop nothing else, and `drain` waits
for everything."""

from __future__ import annotations

import asyncio

from structlog.testing import capture_logs
from telegram.error import BadRequest

from channels.telegram.tidy import Call, ChatTidier


async def test_one_chats_calls_run_in_order_and_a_send_waits_for_them() -> None:
    tidier = ChatTidier(parallel=3)
    done: list[str] = []
    first_may_end = asyncio.Event()

    async def first() -> None:
        await first_may_end.wait()
        done.append("first")

    async def second() -> None:
        done.append("second")

    async def other_chat() -> None:
        done.append("other chat")

    tidier.later(1, first)
    tidier.later(1, second)
    tidier.later(2, other_chat)
    await tidier.settled(2)
    assert done == ["other chat"]  # not held up by chat 1

    settled = asyncio.create_task(tidier.settled(1))
    await asyncio.wait([settled], timeout=0)
    assert not settled.done()
    first_may_end.set()
    async with asyncio.timeout(5):
        await settled
    assert done == ["other chat", "first", "second"]


async def test_a_failure_is_logged_skips_the_rest_of_its_job_and_not_the_next() -> None:
    tidier = ChatTidier(parallel=3)
    done: list[str] = []

    async def refused() -> None:
        raise BadRequest("Message to edit not found")

    async def after_refused() -> None:
        done.append("after refused, same job")

    async def broken() -> None:
        raise RuntimeError("bug")

    async def next_job() -> None:
        done.append("next job")

    with capture_logs() as logs:
        tidier.later(7, refused, after_refused)
        tidier.later(7, broken)
        tidier.later(7, next_job)
        async with asyncio.timeout(5):
            await tidier.drain()
    assert done == ["next job"]
    failures = [entry for entry in logs if entry["event"] == "telegram.tidy_failed"]
    assert [entry["log_level"] for entry in failures] == ["warning", "error"]
    assert "Message to edit not found" in failures[0]["error"]


async def test_drain_waits_for_every_chat() -> None:
    tidier = ChatTidier(parallel=3)
    release = asyncio.Event()
    done: list[int] = []

    def job(chat: int) -> Call:
        async def call() -> None:
            await release.wait()
            done.append(chat)

        return call

    for chat in (1, 2, 3):
        tidier.later(chat, job(chat))
    drained = asyncio.create_task(tidier.drain())
    await asyncio.wait([drained], timeout=0)
    assert not drained.done()
    release.set()
    async with asyncio.timeout(5):
        await drained
    assert sorted(done) == [1, 2, 3]


async def test_no_more_chats_at_once_than_allowed() -> None:
    tidier = ChatTidier(parallel=2)
    release = asyncio.Event()
    running: list[int] = []
    two_running = asyncio.Event()

    def job(chat: int) -> Call:
        async def call() -> None:
            running.append(chat)
            if len(running) == 2:
                two_running.set()
            await release.wait()

        return call

    for chat in (1, 2, 3, 4):
        tidier.later(chat, job(chat))
    async with asyncio.timeout(5):
        await two_running.wait()
    assert running == [1, 2]  # 3 and 4 started with them, and wait for a slot
    release.set()
    async with asyncio.timeout(5):
        await tidier.drain()
    assert sorted(running) == [1, 2, 3, 4]
