"""An erased person's mail still on the IMAP server is not imported again (issue 19), end to
end against the mail lab's Dovecot: the bot takes a mail in, the person is erased, the
mailbox is read from the start again (as after a new UIDVALIDITY), and only a new mail
comes in."""

from __future__ import annotations

from pydantic import SecretStr
from sqlalchemy import update
from sqlmodel import col, select

from bot.privacy.person import find_person
from bot.privacy.requests import erase
from common.clock import utc_now
from storage.db import SessionFactory, transaction
from storage.models import MailboxCursor, Message
from tests.mail_lab import MailLab
from tests.mail_lab.bot_settings import lab_settings
from tests.support import eventually
from tests.test_email_channel import CUSTOMER, RunningBot, mail, send
from tests.test_email_threading import WITHIN, inbound

KEY = "the-lab-s-hash-key"


async def test_an_erased_persons_mail_on_the_server_is_not_imported_again(
    lab: MailLab, database_url: str, sessions: SessionFactory
) -> None:
    settings = lab_settings(database_url, lab)
    settings = settings.model_copy(
        update={"privacy": settings.privacy.model_copy(update={"hash_key": SecretStr(KEY)})}
    )
    first = mail("De lekkage aan de Lindelaan 17 is terug.", subject="Lekkage")
    await send(lab, first)
    async with RunningBot(settings):

        async def stored() -> bool:
            return bool(await inbound(sessions, first["Message-ID"]))

        await eventually(stored, within=WITHIN)

    async with transaction(sessions) as session:
        customer_id = await find_person(session, CUSTOMER)
        await erase(session, customer_id, key=KEY.encode(), by="lab", now=utc_now())
        # Read the mailbox from its first mail again, as after a new UIDVALIDITY.
        await session.exec(update(MailboxCursor).values(last_uid=0))
    second = mail("En nu lekt ook het dak.", subject="Dak")
    await send(lab, second)
    async with RunningBot(settings):

        async def read_past_the_first() -> bool:
            return bool(await inbound(sessions, second["Message-ID"]))

        await eventually(read_past_the_first, within=WITHIN)

    async with transaction(sessions) as session:
        texts = (await session.exec(select(Message.text).where(Message.direction == "in"))).all()
        ids = (await session.exec(select(Message.external_id).order_by(col(Message.id)))).all()
    assert first["Message-ID"] not in ids
    assert not any("Lindelaan" in text for text in texts)
    assert any("dak" in text for text in texts)
