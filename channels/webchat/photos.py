"""A photo a web chat visitor adds: what kind of image the bytes are, read from the bytes
themselves. The type a browser declares is whatever the sender says, so it decides nothing:
a script named foto.jpg is refused, a JPEG named foto.txt is kept as a JPEG."""

from __future__ import annotations

from channels.base import InboundAttachment

# The file signatures (magic numbers) of the images the chat takes.
_JPEG = b"\xff\xd8\xff"
_PNG = b"\x89PNG\r\n\x1a\n"


def image_type(data: bytes) -> str | None:
    """The type of image `data` is: image/jpeg, image/png or image/webp; None for others."""
    if data.startswith(_JPEG):
        return "image/jpeg"
    if data.startswith(_PNG):
        return "image/png"
    if len(data) >= 12 and data[:4] == b"RIFF" and data[8:12] == b"WEBP":
        return "image/webp"
    return None


def photo(data: bytes, *, file_name: str, content_type: str) -> InboundAttachment:
    """The attachment of a photo whose type `image_type` found."""
    # Only the last part of a path, and not endless: the name is shown on the desk.
    name = file_name.replace("\\", "/").rsplit("/", 1)[-1][:120] or None
    return InboundAttachment(
        "photo", file_name=name, content_type=content_type, size=len(data), data=data
    )
