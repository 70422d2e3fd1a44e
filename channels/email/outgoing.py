"""A composed mail as it goes out: the envelope, the bytes for DATA, and its header values."""

from __future__ import annotations

from dataclasses import dataclass, field


@dataclass(frozen=True)
class OutgoingMail:
    """`raw` is final (CRLF line ends, 7-bit unless `smtputf8`); `headers` hold each value as
    a reader sees it once decoded, so callers and tests need not parse the bytes back."""

    sender: str  # MAIL FROM
    recipient: str  # RCPT TO
    message_id: str
    headers: tuple[tuple[str, str], ...]
    raw: bytes = field(repr=False)
    # An address is not ASCII: the header carries it as UTF-8 (RFC 6532), which the server
    # must accept with SMTPUTF8 (RFC 6531).
    smtputf8: bool = False

    def __getitem__(self, name: str) -> str | None:
        """The first value of header `name` (any case), None when absent: as `Message` does."""
        wanted = name.lower()
        return next((value for key, value in self.headers if key.lower() == wanted), None)

    def __bytes__(self) -> bytes:
        return self.raw
