"""Security headers on every response of the desk.

The Content-Security-Policy allows scripts and styles only from the desk's own files (no
inline script or style, no eval): markup a customer smuggles into a message could not run
even if it escaped the templates' escaping.
"""

from __future__ import annotations

from starlette.types import ASGIApp, Message, Receive, Scope, Send

POLICY = "; ".join(
    (
        "default-src 'none'",
        "script-src 'self'",
        "style-src 'self'",
        "img-src 'self'",
        "connect-src 'self'",
        "form-action 'self'",
        "frame-ancestors 'none'",
        "base-uri 'none'",
    )
)
CSP, XFO = b"content-security-policy", b"x-frame-options"
HEADERS = [
    (b"content-security-policy", POLICY.encode()),
    (b"x-content-type-options", b"nosniff"),
    (b"referrer-policy", b"same-origin"),
    (b"x-frame-options", b"DENY"),
    (b"cross-origin-opener-policy", b"same-origin"),
]


class SecurityHeaders:
    def __init__(self, app: ASGIApp) -> None:
        self.app = app

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] != "http":
            await self.app(scope, receive, send)
            return

        async def with_headers(message: Message) -> None:
            if message["type"] == "http.response.start":
                own = list(message.get("headers", []))
                # A page that may be framed (the chat) sets its own policy, with its own
                # frame-ancestors; X-Frame-Options would forbid any framing, so it goes too.
                framed = any(name.lower() == CSP for name, _ in own)
                added = [(n, v) for n, v in HEADERS if not (framed and n in (CSP, XFO))]
                message = {**message, "headers": [*own, *added]}
            await send(message)

        await self.app(scope, receive, with_headers)


def framed_policy(allowed_origins: list[str]) -> str:
    """The same policy for a page other sites may frame: only `allowed_origins` (and the
    bot's own address), and WebSocket connections back to the bot."""
    ancestors = " ".join(["'self'", *allowed_origins])
    return POLICY.replace("frame-ancestors 'none'", f"frame-ancestors {ancestors}")
