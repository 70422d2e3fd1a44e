"""Photos, files, voice notes, stickers and locations are kept on the case and answered;
captions are read as text; an edited message updates the stored one. Against the fake Bot
API server, since the emulator has no file API."""

from __future__ import annotations

from sqlmodel import col, select

from storage.db import SessionFactory, transaction
from storage.models import Attachment, AuditEvent, Case, Message
from tests.support import eventually
from tests.telegram_fake import FakeBotApi, customer_update
from tests.telegram_support import RunningTelegramBot, new_token, telegram_settings

ANNA = 4242
PHOTO = b"\xff\xd8\xff\xe0 a large photo"
STICKER = b"RIFF sticker"
VOICE = b"OggS voice"
# A complaint, so the bot acknowledges and asks (three messages with the media reply).
CAPTION = "Ik ben ontevreden: de kraan in de keuken lekt al een week, hier is een foto."


def photo_sizes() -> list[dict[str, object]]:
    return [
        {"file_id": "p-small", "file_unique_id": "ps", "width": 90, "height": 90, "file_size": 3},
        {
            "file_id": "p-large",
            "file_unique_id": "pl",
            "width": 1280,
            "height": 960,
            "file_size": len(PHOTO),
        },
    ]


async def test_media_are_kept_on_the_case_and_answered(
    database_url: str, sessions: SessionFactory
) -> None:
    async with FakeBotApi() as api:
        api.add_file("p-large", PHOTO)
        api.add_file("s1", STICKER)
        api.add_file("v1", VOICE)
        settings = telegram_settings(database_url, api.base_url, new_token())
        async with RunningTelegramBot(settings, max_file_bytes=1000):
            api.push(customer_update(ANNA, 1, photo=photo_sizes(), caption=CAPTION))
            first = [sent.params["text"] for sent in await api.wait_sent(3)]
            assert any("foto" in text and "bewaard" in text for text in first), first

            api.push(
                customer_update(
                    ANNA,
                    2,
                    sticker={
                        "file_id": "s1",
                        "file_unique_id": "us1",
                        "type": "regular",
                        "width": 512,
                        "height": 512,
                        "is_animated": False,
                        "is_video": False,
                        "emoji": "😡",
                        "file_size": len(STICKER),
                    },
                )
            )
            api.push(customer_update(ANNA, 3, location={"latitude": 52.37, "longitude": 4.89}))
            api.push(
                customer_update(
                    ANNA,
                    4,
                    document={
                        "file_id": "d1",
                        "file_unique_id": "ud1",
                        "file_name": "factuur.pdf",
                        "mime_type": "application/pdf",
                        "file_size": 50_000_000,
                    },
                )
            )
            api.push(
                customer_update(
                    ANNA,
                    5,
                    voice={
                        "file_id": "v1",
                        "file_unique_id": "uv1",
                        "duration": 3,
                        "mime_type": "audio/ogg",
                        "file_size": len(VOICE),
                    },
                )
            )
            later = [sent.params["text"] for sent in (await api.wait_sent(7))[3:]]
            assert any("sticker" in text for text in later), later
            assert any("locatie" in text for text in later), later
            assert any("bestand" in text and "te groot" in text for text in later), later
            assert any("spraakbericht" in text for text in later), later

            edited_caption = (
                "Ik ben ontevreden: de kraan in de keuken lekt al twee weken, hier is een foto."
            )
            api.push(
                customer_update(ANNA, 1, edited=True, photo=photo_sizes(), caption=edited_caption)
            )
            edit_seen = await _wait_for_edit(sessions)
            assert edit_seen.text == edited_caption

    async with transaction(sessions) as session:
        inbound = (
            await session.exec(
                select(Message).where(Message.direction == "in").order_by(col(Message.id))
            )
        ).all()
        attachments = (await session.exec(select(Attachment).order_by(col(Attachment.id)))).all()
        cases = (await session.exec(select(Case))).all()
        audit = (
            await session.exec(select(AuditEvent).where(AuditEvent.action == "message.edited"))
        ).all()
    assert len(cases) == 1
    assert [m.kind for m in inbound] == ["media"] * 5
    assert all(m.case_id == cases[0].id for m in inbound)
    assert inbound[0].text == edited_caption
    assert inbound[0].edited_at is not None
    assert [a.kind for a in attachments] == ["photo", "sticker", "location", "document", "voice"]
    photo, sticker, location, document, voice = attachments
    assert photo.data == PHOTO  # the largest size, not the thumbnail
    assert sticker.data == STICKER
    assert location.detail["latitude"] == 52.37
    assert document.data is None
    assert document.detail["too_large"] is True
    assert document.file_name == "factuur.pdf"
    assert voice.data == VOICE
    assert [event.detail["before"] for event in audit] == [CAPTION]
    # The caption went into the story the handler reads.
    assert CAPTION in cases[0].dialogue_state["story"]


async def _wait_for_edit(sessions: SessionFactory) -> Message:
    found: list[Message] = []

    async def edited() -> bool:
        async with transaction(sessions) as session:
            message = (
                await session.exec(select(Message).where(col(Message.edited_at).is_not(None)))
            ).first()
        if message is not None:
            found.append(message)
        return message is not None

    await eventually(edited, within=10)
    return found[0]
