"""The email channel's pure half: reading incoming mail and building outgoing replies."""

from channels.email.autoreply import MailKind
from channels.email.compose import build_reply
from channels.email.html_text import html_to_text
from channels.email.outgoing import OutgoingMail
from channels.email.parse import Attachment, ParsedMail, UnparseableMail, parse_mail
from channels.email.quotes import strip_quoted

__all__ = [
    "Attachment",
    "MailKind",
    "OutgoingMail",
    "ParsedMail",
    "UnparseableMail",
    "build_reply",
    "html_to_text",
    "parse_mail",
    "strip_quoted",
]
