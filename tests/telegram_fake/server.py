"""A fake Telegram Bot API server on loopback, following https://core.telegram.org/bots/api
for the methods the bot uses, plus file downloads (`/file/bot<token>/<path>`), scripted 429
answers with `retry_after`, and webhook delivery with the secret-token header.

Runs on the test's own event loop (asyncio streams, HTTP/1.1 keep-alive, no dependencies):

    async with FakeBotApi() as api:        # api.base_url -> settings.telegram.base_url
        api.push({"message": {...}})       # an update for the bot's next getUpdates
        await api.wait_sent(2)             # what the bot sent, as request parameters
"""

from __future__ import annotations

import asyncio
import contextlib
import json
import time
from collections.abc import Mapping
from dataclasses import dataclass, field
from types import TracebackType
from typing import Any
from urllib.parse import parse_qsl, urlsplit

import httpx

BOT_USER = {"id": 777, "is_bot": True, "first_name": "Klachtbot", "username": "klachtbot_test"}
HOST = "127.0.0.1"


@dataclass
class Sent:
    method: str
    params: dict[str, Any]
    at: float  # time.monotonic()


@dataclass
class FakeBotApi:
    updates: list[dict[str, Any]] = field(default_factory=list)
    sent: list[Sent] = field(default_factory=list)
    calls: list[Sent] = field(default_factory=list)
    files: dict[str, bytes] = field(default_factory=dict)
    # The next this-many sendMessage calls answer 429 with this retry_after.
    too_many: int = 0
    retry_after: int = 1
    # sendMessage to these chats answers (error_code, description), as Telegram refuses a
    # chat that does not exist (400) or a user who blocked the bot (403).
    refusals: dict[int, tuple[int, str]] = field(default_factory=dict)
    webhook: dict[str, str] = field(default_factory=dict)
    _next_update_id: int = 1
    _next_message_id: int = 1000
    _changed: asyncio.Condition = field(default_factory=asyncio.Condition)
    _server: asyncio.Server | None = None
    _clients: set[asyncio.StreamWriter] = field(default_factory=set)
    _serving: set[asyncio.Task[None]] = field(default_factory=set)
    _closing: bool = False
    port: int = 0

    # -- lifecycle ---------------------------------------------------------------------------

    async def __aenter__(self) -> FakeBotApi:
        self._server = await asyncio.start_server(self._serve, HOST, 0)
        self.port = self._server.sockets[0].getsockname()[1]
        return self

    async def __aexit__(
        self,
        exc_type: type[BaseException] | None,
        exc: BaseException | None,
        tb: TracebackType | None,
    ) -> None:
        assert self._server is not None
        self._server.close()
        # Long polls end with an empty answer, then every connection closes: the serving
        # tasks finish rather than being cancelled under the loop's feet.
        self._closing = True
        await self._notify()
        for writer in list(self._clients):
            writer.close()
        await asyncio.gather(*self._serving, return_exceptions=True)
        await self._server.wait_closed()

    @property
    def base_url(self) -> str:
        return f"http://{HOST}:{self.port}/bot"

    # -- the test's side ---------------------------------------------------------------------

    def push(self, update: Mapping[str, Any]) -> int:
        """Queue an update (without update_id); returns the id it got."""
        update_id = self._next_update_id
        self._next_update_id += 1
        self.updates.append({"update_id": update_id, **update})
        asyncio.get_running_loop().create_task(self._notify())
        return update_id

    async def deliver_by_webhook(self, update: Mapping[str, Any], *, secret: str | None) -> int:
        """POST an update to the webhook the bot set, the way Telegram does; returns the
        HTTP status the bot answered."""
        update_id = self._next_update_id
        self._next_update_id += 1
        headers = {"X-Telegram-Bot-Api-Secret-Token": secret} if secret is not None else {}
        async with httpx.AsyncClient(timeout=10) as client:
            response = await client.post(
                self.webhook["url"], json={"update_id": update_id, **update}, headers=headers
            )
        return response.status_code

    async def wait_sent(self, count: int, *, within: float = 20.0) -> list[Sent]:
        async with asyncio.timeout(within), self._changed:
            await self._changed.wait_for(lambda: len(self.sent) >= count)
        return self.sent

    async def wait_calls(self, method: str, count: int, *, within: float = 20.0) -> list[Sent]:
        def matching() -> list[Sent]:
            return [call for call in self.calls if call.method == method]

        async with asyncio.timeout(within), self._changed:
            await self._changed.wait_for(lambda: len(matching()) >= count)
        return matching()

    async def _notify(self) -> None:
        async with self._changed:
            self._changed.notify_all()

    # -- HTTP --------------------------------------------------------------------------------

    async def _serve(self, reader: asyncio.StreamReader, writer: asyncio.StreamWriter) -> None:
        self._clients.add(writer)
        task = asyncio.current_task()
        assert task is not None
        self._serving.add(task)
        try:
            # Served until the client closes its connection.
            with contextlib.suppress(asyncio.IncompleteReadError, ConnectionError):
                while True:
                    head = await reader.readuntil(b"\r\n\r\n")
                    request_line, *header_lines = head.decode("latin-1").split("\r\n")
                    _verb, target, _ = request_line.split(" ", 2)
                    headers = {
                        name.strip().lower(): value.strip()
                        for name, _, value in (line.partition(":") for line in header_lines if line)
                    }
                    body = await reader.readexactly(int(headers.get("content-length", "0")))
                    status, payload, content_type = await self._route(target, headers, body)
                    writer.write(
                        f"HTTP/1.1 {status} X\r\nContent-Type: {content_type}\r\n"
                        f"Content-Length: {len(payload)}\r\n\r\n".encode()
                        + payload
                    )
                    await writer.drain()
        finally:
            self._clients.discard(writer)
            self._serving.discard(task)
            writer.close()

    async def _route(
        self, target: str, headers: Mapping[str, str], body: bytes
    ) -> tuple[int, bytes, str]:
        path = urlsplit(target).path
        if path.startswith("/file/bot"):
            file_path = path.split("/", 3)[3]
            data = self.files.get(file_path)
            if data is None:
                return 404, b"not found", "text/plain"
            return 200, data, "application/octet-stream"
        _, _, method = path.rpartition("/")
        params = _params(headers, body)
        call = Sent(method, params, time.monotonic())
        self.calls.append(call)
        await self._notify()
        handler = getattr(self, f"_api_{method}", None)
        if handler is None:
            return _answer(404, {"ok": False, "error_code": 404, "description": "Not Found"})
        result = await handler(params, call)
        if isinstance(result, tuple):
            return _answer(*result)
        return _answer(200, {"ok": True, "result": result})

    # -- Bot API methods ---------------------------------------------------------------------

    async def _api_getMe(self, params: dict[str, Any], call: Sent) -> Any:
        return BOT_USER

    async def _api_deleteWebhook(self, params: dict[str, Any], call: Sent) -> Any:
        self.webhook.clear()
        return True

    async def _api_setWebhook(self, params: dict[str, Any], call: Sent) -> Any:
        self.webhook = {key: str(value) for key, value in params.items()}
        return True

    async def _api_getUpdates(self, params: dict[str, Any], call: Sent) -> Any:
        offset = int(params.get("offset") or 0)
        limit = int(params.get("limit") or 100)
        # As Telegram: updates below the offset are confirmed and forgotten.
        self.updates = [u for u in self.updates if u["update_id"] >= offset]
        if self.updates:
            return self.updates[:limit]
        try:
            async with asyncio.timeout(float(params.get("timeout") or 0)), self._changed:
                await self._changed.wait_for(lambda: bool(self.updates) or self._closing)
        except TimeoutError:
            return []
        return self.updates[:limit]

    async def _api_sendMessage(self, params: dict[str, Any], call: Sent) -> Any:
        if self.too_many > 0:
            self.too_many -= 1
            return 429, {
                "ok": False,
                "error_code": 429,
                "description": f"Too Many Requests: retry after {self.retry_after}",
                "parameters": {"retry_after": self.retry_after},
            }
        chat_id = int(params["chat_id"])
        if chat_id in self.refusals:
            code, description = self.refusals[chat_id]
            return code, {"ok": False, "error_code": code, "description": description}
        self.sent.append(call)
        await self._notify()
        self._next_message_id += 1
        message: dict[str, Any] = {
            "message_id": self._next_message_id,
            "from": BOT_USER,
            "chat": {"id": chat_id, "type": "private" if chat_id > 0 else "supergroup"},
            "date": int(time.time()),
            "text": params["text"],
        }
        if params.get("reply_markup"):
            message["reply_markup"] = params["reply_markup"]
        return message

    async def _api_editMessageReplyMarkup(self, params: dict[str, Any], call: Sent) -> Any:
        return True

    async def _api_editMessageText(self, params: dict[str, Any], call: Sent) -> Any:
        return True

    async def _api_answerCallbackQuery(self, params: dict[str, Any], call: Sent) -> Any:
        return True

    async def _api_getFile(self, params: dict[str, Any], call: Sent) -> Any:
        file_id = str(params["file_id"])
        path = f"files/{file_id}"
        if path not in self.files:
            return 400, {
                "ok": False,
                "error_code": 400,
                "description": "Bad Request: wrong file_id",
            }
        return {
            "file_id": file_id,
            "file_unique_id": f"u{file_id}",
            "file_size": len(self.files[path]),
            "file_path": path,
        }

    def add_file(self, file_id: str, data: bytes) -> None:
        self.files[f"files/{file_id}"] = data


def _params(headers: Mapping[str, str], body: bytes) -> dict[str, Any]:
    if not body:
        return {}
    if headers.get("content-type", "").startswith("application/json"):
        loaded: dict[str, Any] = json.loads(body)
        return loaded
    params: dict[str, Any] = {}
    for key, value in parse_qsl(body.decode(), keep_blank_values=True):
        # PTB sends every non-string parameter JSON-encoded.
        try:
            params[key] = json.loads(value)
        except json.JSONDecodeError:
            params[key] = value
    return params


def _answer(status: int, payload: Mapping[str, Any]) -> tuple[int, bytes, str]:
    return status, json.dumps(payload).encode(), "application/json"


def customer_update(
    chat_id: int, message_id: int, *, edited: bool = False, **content: Any
) -> dict[str, Any]:
    """An update for a private-chat message from customer `chat_id` with `content`
    (text=..., photo=[...], caption=..., sticker={...}, location={...})."""
    user = {"id": chat_id, "is_bot": False, "first_name": "Anna", "language_code": "nl"}
    message = {
        "message_id": message_id,
        "from": user,
        "chat": {"id": chat_id, "type": "private", "first_name": "Anna"},
        "date": int(time.time()),
        **content,
    }
    if edited:
        message["edit_date"] = int(time.time())
    return {"edited_message" if edited else "message": message}
