"""Fetching the files a customer sends, within a size limit. A file we cannot keep is still
recorded (kind, name, size) so nobody thinks the customer sent nothing."""

from __future__ import annotations

from telegram import Bot
from telegram.error import TelegramError

from channels.base import InboundAttachment
from channels.telegram.updates import FileRef
from common.logs import log

# The Bot API lets a bot download files up to 20 MB.
DEFAULT_MAX_FILE_BYTES = 20 * 1024 * 1024


async def fetch(bot: Bot, ref: FileRef, *, max_bytes: int) -> InboundAttachment:
    detail = {**ref.detail, "file_id": ref.file_id}
    data: bytes | None = None
    if ref.size is not None and ref.size > max_bytes:
        detail["too_large"] = True
    else:
        try:
            remote = await bot.get_file(ref.file_id)
            if remote.file_size is not None and remote.file_size > max_bytes:
                detail["too_large"] = True
            else:
                data = bytes(await remote.download_as_bytearray())
                if len(data) > max_bytes:
                    data, detail["too_large"] = None, True
        except TelegramError as exc:
            # Kept without its bytes; the file id lets someone fetch it later.
            detail["error"] = f"{type(exc).__name__}: {exc.message}"
            log.warning("telegram.file_not_fetched", kind=ref.kind, error=detail["error"])
    return InboundAttachment(
        ref.kind,
        file_name=ref.file_name,
        content_type=ref.content_type,
        size=ref.size if ref.size is not None else (len(data) if data is not None else None),
        data=data,
        detail=detail,
    )
