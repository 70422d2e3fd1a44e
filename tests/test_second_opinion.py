"""The optional language-model second opinion, against a small OpenAI-compatible fake server
run in the test: asked only where the offline reading is unsure, never for an emergency, and
any failure leaves the offline reading as it was."""

from __future__ import annotations

import json
import threading
from collections.abc import Iterator
from dataclasses import dataclass, field, replace
from datetime import UTC, date, datetime
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from typing import Any
from zoneinfo import ZoneInfo

import pytest
from pydantic import SecretStr
from structlog.testing import capture_logs

from bot.config.settings import SettingsError, UnderstandingSettings, load_settings
from bot.nlu.pipeline import Reading, read
from bot.reading.read_ahead import ReadAhead
from bot.reading.second_opinion import SecondOpinion, second_opinion_for
from bot.reading.workers import Workers

TODAY = date(2026, 3, 20)
UNSURE = "Hoe zit dat eigenlijk met die brief van vorige week?"


@dataclass
class FakeModelServer:
    """Answers every chat completion with `answer` (a JSON text), or an HTTP `status`, or not at
    all until the test ends (`hang`)."""

    answer: str = (
        '{"intent": "complaint", "explicit": false, "category": "communication", "anger": 1}'
    )
    status: int = 200
    hang: bool = False
    requests: list[dict[str, Any]] = field(default_factory=list)
    released: threading.Event = field(default_factory=threading.Event)

    def handler(self) -> type[BaseHTTPRequestHandler]:
        fake = self

        class Handler(BaseHTTPRequestHandler):
            def do_POST(self) -> None:
                length = int(self.headers["Content-Length"])
                fake.requests.append(
                    {"path": self.path, "body": json.loads(self.rfile.read(length))}
                )
                if fake.hang:
                    fake.released.wait(10)
                    return
                body = json.dumps(
                    {
                        "id": "fake",
                        "object": "chat.completion",
                        "created": 0,
                        "model": "fake",
                        "choices": [
                            {
                                "index": 0,
                                "finish_reason": "stop",
                                "message": {"role": "assistant", "content": fake.answer},
                            }
                        ],
                    }
                ).encode()
                self.send_response(fake.status)
                self.send_header("Content-Type", "application/json")
                self.send_header("Content-Length", str(len(body)))
                self.end_headers()
                self.wfile.write(body)

            def log_message(self, format: str, *args: Any) -> None:
                return  # keep the test output to what matters

        return Handler


@pytest.fixture
def fake() -> Iterator[tuple[FakeModelServer, UnderstandingSettings]]:
    model = FakeModelServer()
    server = ThreadingHTTPServer(("127.0.0.1", 0), model.handler())
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    settings = UnderstandingSettings(
        llm_url=f"http://127.0.0.1:{server.server_port}/v1",
        llm_model="fake-model",
        llm_api_key=SecretStr("test-key"),
        # Far above the fake's answer time, even for the first request on a loaded machine
        # (seen over 1 s in CI); the timeout itself is tested with a short one of its own.
        llm_timeout_seconds=10.0,
    )
    try:
        yield model, settings
    finally:
        model.released.set()
        server.shutdown()
        server.server_close()
        thread.join(5)


def unsure(text: str = UNSURE) -> Reading:
    reading = read(text, today=TODAY)
    return replace(reading, understood=replace(reading.understood, confidence=0.2))


async def test_an_unsure_reading_takes_the_models_answer(
    fake: tuple[FakeModelServer, UnderstandingSettings],
) -> None:
    model, settings = fake
    opinion = SecondOpinion(settings)
    reviewed = (await opinion.review(UNSURE, unsure())).understood
    await opinion.close()
    assert (reviewed.intent, reviewed.explicit, reviewed.category, reviewed.anger) == (
        "complaint", False, "communication", 1,
    )
    assert reviewed.confidence > 0.6
    assert reviewed.slots == read(UNSURE, today=TODAY).understood.slots  # only labels change
    [request] = model.requests
    assert request["path"] == "/v1/chat/completions"
    assert request["body"]["model"] == "fake-model"
    assert request["body"]["temperature"] == 0
    assert request["body"]["messages"][-1]["content"] == UNSURE


async def test_a_sure_reading_and_an_emergency_are_never_sent(
    fake: tuple[FakeModelServer, UnderstandingSettings],
) -> None:
    model, settings = fake
    model.answer = '{"intent": "other"}'
    opinion = SecondOpinion(settings)
    sure = replace(unsure(), understood=replace(unsure().understood, confidence=0.95))
    assert await opinion.review(UNSURE, sure) == sure
    gas = "Ik ruik gas in de keuken"
    emergency = unsure(gas)  # unsure on purpose: an emergency is still never asked about
    assert emergency.understood.intent == "emergency"
    assert await opinion.review(gas, emergency) == emergency
    # Nor a complaint that shows danger: its route is the emergency's all the same.
    danger = replace(emergency, understood=replace(emergency.understood, intent="complaint"))
    assert await opinion.review(gas, danger) == danger
    await opinion.close()
    assert model.requests == []


async def test_the_model_may_raise_an_emergency(
    fake: tuple[FakeModelServer, UnderstandingSettings],
) -> None:
    model, settings = fake
    model.answer = '{"intent": "emergency"}'
    opinion = SecondOpinion(settings)
    reviewed = (await opinion.review(UNSURE, unsure())).understood
    await opinion.close()
    assert not unsure().understood.danger
    assert (reviewed.intent, reviewed.danger) == ("emergency", True)


@pytest.mark.parametrize(
    ("answer", "status", "reason"),
    [
        ('{"intent": "angry_customer"}', 200, "answer has labels that are not allowed"),
        ("I think it is a complaint.", 200, "ValueError"),
        ('{"intent": "complaint"}', 500, "InternalServerError"),
    ],
)
async def test_a_bad_answer_keeps_the_offline_reading(
    fake: tuple[FakeModelServer, UnderstandingSettings], answer: str, status: int, reason: str
) -> None:
    model, settings = fake
    model.answer, model.status = answer, status
    opinion = SecondOpinion(settings)
    offline = unsure()
    with capture_logs() as logs:
        assert await opinion.review(UNSURE, offline) == offline
    await opinion.close()
    [warning] = [entry for entry in logs if entry["event"] == "understanding.llm_failed"]
    assert warning["log_level"] == "warning"
    assert warning["error"] == reason
    assert "test-key" not in json.dumps(logs, default=str)


async def test_a_model_that_does_not_answer_in_time_keeps_the_offline_reading(
    fake: tuple[FakeModelServer, UnderstandingSettings],
) -> None:
    model, settings = fake
    model.hang = True
    opinion = SecondOpinion(replace_timeout(settings, 0.3))
    offline = unsure()
    with capture_logs() as logs:
        assert await opinion.review(UNSURE, offline) == offline
    model.released.set()
    await opinion.close()
    assert [entry["error"] for entry in logs] == ["timed out"]


def replace_timeout(settings: UnderstandingSettings, seconds: float) -> UnderstandingSettings:
    return settings.model_copy(update={"llm_timeout_seconds": seconds})


async def test_read_ahead_asks_the_model_before_the_messages_turn(
    fake: tuple[FakeModelServer, UnderstandingSettings],
) -> None:
    model, settings = fake
    opinion = SecondOpinion(settings.model_copy(update={"llm_below_confidence": 1.0}))
    ahead = ReadAhead(
        Workers(0),
        tz=ZoneInfo("Europe/Amsterdam"),
        clock=lambda: datetime(2026, 3, 20, 12, tzinfo=UTC),
        second_opinion=opinion,
    )
    ahead.start([(1, UNSURE), (2, "Ik ruik gas in de keuken")])
    await ahead.settle([1, 2])
    heard = ahead.understand(UNSURE, today=TODAY)
    gas = ahead.understand("Ik ruik gas in de keuken", today=TODAY)
    await ahead.close()
    assert (heard.intent, heard.category) == ("complaint", "communication")
    assert (gas.intent, gas.danger) == ("emergency", True)
    assert ahead.used == 2
    assert len(model.requests) == 1


def test_off_by_default_and_a_url_needs_a_model() -> None:
    assert second_opinion_for(UnderstandingSettings()) is None
    with pytest.raises(SettingsError, match="llm_model"):
        load_settings(understanding={"llm_url": "http://localhost:11434/v1"})
    with pytest.raises(SettingsError, match="llm_url"):
        load_settings(understanding={"llm_url": "localhost:11434", "llm_model": "m"})
