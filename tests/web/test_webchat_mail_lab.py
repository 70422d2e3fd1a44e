""" "Stuur mij een link" end to end through the real mail lab: the visitor asks for a link in
the chat, the mail goes out through the outbox and the email channel's SMTP into Dovecot, and
the link read from that mailbox makes a fresh client the same visitor."""

from __future__ import annotations

import asyncio
from email import message_from_bytes, policy
from email.message import EmailMessage
from urllib.parse import urlsplit

import httpx

from bot.reading.workers import Workers
from bot.runtime.app import App
from bot.runtime.email_wiring import email_channel
from bot.web.chat import VISITOR_COOKIE
from channels.webchat.channel import WebChatChannel
from common.clock import utc_now
from storage.db import SessionFactory
from tests.mail_lab import MailLab
from tests.mail_lab.bot_settings import lab_settings
from tests.test_email_channel import CUSTOMER
from tests.web.chat_socket import ChatSocket
from tests.web.test_webchat_guards import new_visitor, next_notice

PUBLIC = "http://klachten.lab.test"


async def test_the_link_mail_arrives_and_its_link_resumes_the_chat(
    lab: MailLab, database_url: str
) -> None:
    base = lab_settings(database_url, lab)
    settings = base.model_validate(
        {
            **base.model_dump(mode="python"),
            "web": {"listen": "127.0.0.1:0", "secret_key": "lab-key", "public_url": PUBLIC},
            "dialogue": {"pause_seconds": 0.5},
        }
    )
    app: App | None = None

    def sessions() -> SessionFactory:
        assert app is not None
        return app.sessions

    workers = Workers(settings.workers.processes)
    mail = email_channel(settings.email, sessions=sessions, clock=utc_now, offload=workers.run_each)
    app = App(settings, [mail, WebChatChannel()], workers=workers, serve_desk=True)
    async with app:
        running = asyncio.create_task(app.run())
        try:
            assert app.desk is not None
            url = f"http://127.0.0.1:{app.desk.port}"
            async with httpx.AsyncClient(base_url=url) as client:
                cookie = await new_visitor(client)
            socket = await ChatSocket.open(
                app.desk.port, origin=url, cookie=cookie, query="lang=nl"
            )
            await socket.send({"text": "Mijn afvoer is verstopt en het water loopt over."})
            assert (await socket.receive())["from"] == "customer"
            await app.settle()  # the bot has taken the story in: there is a case
            await socket.send({"link": CUSTOMER})
            assert await next_notice(socket) == "link_sent"
            await socket.close()

            raw = (await lab.wait_for_mail(CUSTOMER, timeout=20))[0]
            message = message_from_bytes(raw, policy=policy.default)
            assert isinstance(message, EmailMessage)
            assert "Uw gesprek met" in str(message["Subject"])
            body = message.get_body(preferencelist=("plain",))
            assert body is not None
            link = next(w for w in body.get_content().split() if w.startswith(PUBLIC))
            path = urlsplit(link)
            async with httpx.AsyncClient(base_url=url) as elsewhere:
                opened = await elsewhere.get(f"{path.path}?{path.query}")
                assert opened.status_code == 303
                resumed = opened.cookies[VISITOR_COOKIE]
            assert resumed == cookie  # the same visitor, now in the other client
            again = await ChatSocket.open(app.desk.port, origin=url, cookie=resumed)
            assert "afvoer" in (await again.receive())["text"]
            await again.close()
        finally:
            app.request_stop()
            await running
