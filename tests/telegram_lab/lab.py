"""telegram-test-api on loopback, started from `start.js`, and a customer's side of a chat.

    with TelegramLab() as lab:          # node start.js <port>, waits for "READY"
        settings: base_url = lab.base_url, any token (one per test keeps tests apart)
        chat = lab.chat(token, user_id=4242)
        await chat.say("Mijn pakket is niet gekomen")
        replies = await chat.replies(2)

The emulator differs from the real Bot API; start.js bridges that on the server side so the
bot under test runs on stock python-telegram-bot (see the note at the top of start.js).
What it lacks altogether (files, 429, the webhook secret) is in tests/telegram_fake.
"""

from __future__ import annotations

import asyncio
import shutil
import subprocess
import threading
import time
from pathlib import Path
from types import TracebackType
from typing import Any

import httpx

from tests.mail_lab.lab import free_ports

HERE = Path(__file__).parent
START_SECONDS = 20.0


def emulator_installed() -> bool:
    return (
        shutil.which("node") is not None and (HERE / "node_modules" / "telegram-test-api").is_dir()
    )


class TelegramLab:
    def __init__(self) -> None:
        self.port = free_ports(1)[0]
        self._process: subprocess.Popen[str] | None = None

    @property
    def url(self) -> str:
        return f"http://127.0.0.1:{self.port}"

    @property
    def base_url(self) -> str:
        return f"{self.url}/bot"

    def start(self) -> None:
        self._process = subprocess.Popen(
            ["node", str(HERE / "start.js"), str(self.port)],
            cwd=HERE,
            stdout=subprocess.PIPE,
            stderr=subprocess.STDOUT,
            text=True,
        )
        ready = threading.Event()
        output: list[str] = []

        def read() -> None:
            assert self._process is not None
            assert self._process.stdout is not None
            for line in self._process.stdout:
                output.append(line)
                if line.startswith("READY"):
                    ready.set()

        threading.Thread(target=read, name="telegram-lab-output", daemon=True).start()
        if not ready.wait(START_SECONDS):
            self.stop()
            raise RuntimeError(f"telegram-test-api did not start: {''.join(output)}")

    def stop(self) -> None:
        if self._process is not None:
            self._process.terminate()
            try:
                self._process.wait(timeout=5)
            except subprocess.TimeoutExpired:
                self._process.kill()
                self._process.wait()
            if self._process.stdout is not None:
                self._process.stdout.close()
            self._process = None

    async def reset(self) -> None:
        """Forget every chat: the emulator scans all it stores on each call, so a benchmark
        round after others would otherwise run slower for their history."""
        async with httpx.AsyncClient(base_url=self.url, timeout=10) as client:
            response = await client.post("/reset")
            response.raise_for_status()

    async def revoke(self, token: str, *, revoked: bool = True) -> None:
        """From now on every Bot API call with `token` is answered 401 Unauthorized, as
        Telegram answers a wrong or revoked token (`revoked=False` takes that back)."""
        async with httpx.AsyncClient(base_url=self.url, timeout=10) as client:
            response = await client.post("/revoke", json={"token": token, "revoked": revoked})
            response.raise_for_status()

    def __enter__(self) -> TelegramLab:
        self.start()
        return self

    def __exit__(
        self,
        exc_type: type[BaseException] | None,
        exc: BaseException | None,
        tb: TracebackType | None,
    ) -> None:
        self.stop()

    def chat(
        self,
        token: str,
        *,
        user_id: int,
        first_name: str = "Anna",
        language: str = "nl",
        group_id: int | None = None,
    ) -> UserChat:
        """A private chat with the bot, or with `group_id` the user's seat in that group."""
        return UserChat(
            self.url,
            token,
            user_id=user_id,
            first_name=first_name,
            language=language,
            group_id=group_id,
        )


class UserChat:
    """One customer in a private chat with the bot: what they send, what they read."""

    def __init__(
        self,
        url: str,
        token: str,
        *,
        user_id: int,
        first_name: str,
        language: str,
        group_id: int | None = None,
    ) -> None:
        self._url = url
        self.token = token
        self.user_id = user_id
        self.user = {
            "id": user_id,
            "is_bot": False,
            "first_name": first_name,
            "language_code": language,
        }
        self.chat_id = group_id if group_id is not None else user_id
        self.chat: dict[str, Any] = (
            {"id": group_id, "type": "supergroup", "title": "Behandelaars"}
            if group_id is not None
            else {"id": user_id, "type": "private", "first_name": first_name}
        )
        self.received: list[dict[str, Any]] = []

    async def _post(self, path: str, body: dict[str, Any]) -> Any:
        async with httpx.AsyncClient(base_url=self._url, timeout=10) as client:
            response = await client.post(path, json=body)
        response.raise_for_status()
        return response.json()["result"]

    def _message(self, text: str) -> dict[str, Any]:
        return {
            "botToken": self.token,
            "from": self.user,
            "chat": self.chat,
            "date": int(time.time()),
            "text": text,
        }

    async def say(self, text: str) -> None:
        await self._post("/sendMessage", self._message(text))

    async def reply(self, text: str, to: dict[str, Any]) -> None:
        """Answer one of the bot's messages (Telegram's "reply")."""
        replied = {
            "message_id": to["messageId"],
            "from": {"id": 666, "is_bot": True, "first_name": "Test First name"},
            "chat": self.chat,
            "date": int(time.time()),
            "text": to["message"]["text"],
        }
        await self._post("/sendMessage", self._message(text) | {"reply_to_message": replied})

    async def command(self, text: str) -> None:
        command = text.split(" ", 1)[0]
        message = self._message(text) | {
            "entities": [{"type": "bot_command", "offset": 0, "length": len(command)}]
        }
        await self._post("/sendCommand", message)

    async def press(self, bot_message: dict[str, Any], data: str) -> None:
        await self._post(
            "/sendCallback",
            {
                "botToken": self.token,
                "from": self.user,
                "data": data,
                "message": {
                    "message_id": bot_message["messageId"],
                    "date": int(time.time()),
                    "chat": self.chat,
                    "text": bot_message["message"]["text"],
                },
            },
        )

    async def replies(self, count: int, *, within: float = 20.0) -> list[dict[str, Any]]:
        """Wait until the bot has sent `count` messages to this chat in all; return them all
        (as the emulator stores them: {"messageId", "message": {"text", "reply_markup"}})."""
        async with asyncio.timeout(within):
            while len(self.received) < count:
                fresh = await self._post(
                    "/getUpdates", {"token": self.token, "chatId": self.chat_id}
                )
                self.received.extend(fresh)
                if len(self.received) < count:
                    await asyncio.sleep(0.05)  # the emulator has no push to the client side
        return self.received

    async def reply_containing(self, words: str, *, within: float = 20.0) -> dict[str, Any]:
        """Wait for a message from the bot to this chat that contains `words`, whatever else
        came before it (a confirmation may or may not have been sent by then)."""
        async with asyncio.timeout(within):
            while True:
                found = [m for m in self.received if words in m["message"].get("text", "")]
                if found:
                    return found[0]
                await self.replies(len(self.received) + 1, within=within)

    async def history(self) -> list[dict[str, Any]]:
        """Everything in this bot's emulator storage, edits applied."""
        return list(await self._post("/getUpdatesHistory", {"token": self.token}))
