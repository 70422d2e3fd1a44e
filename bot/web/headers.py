"""Security headers on every response of the desk.

The Content-Security-Policy allows scripts and styles only from the desk's own files (no
inline script or style, no eval): markup a customer smuggles into a message could not run
even if it escaped the templates' escaping.
"""

from __future__ import annotations

from starlette.types import ASGIApp, Message, Receive, Scope, Send

STYLE_SRC = "style-src 'self'"
POLICY = "; ".join(
    (
        "default-src 'none'",
        "script-src 'self'",
        STYLE_SRC,
        "img-src 'self'",
        "connect-src 'self'",
        "form-action 'self'",
        "frame-ancestors 'none'",
        "base-uri 'none'",
    )
)


def policy_with_styles(hashes: list[str]) -> str:
    """The policy, also allowing exactly these inline styles (CSP hash sources): the
    report's charts are SVG whose colours are style attributes."""
    allowed = " ".join(f"'{digest}'" for digest in hashes)
    return POLICY.replace(STYLE_SRC, f"{STYLE_SRC} 'unsafe-hashes' {allowed}".rstrip())


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
                own = message.get("headers", [])
                # A page may bring a stricter or narrower policy of its own (the report's).
                given = {name.lower() for name, _ in own}
                added = [(name, value) for name, value in HEADERS if name not in given]
                message = {**message, "headers": [*own, *added]}
            await send(message)

        await self.app(scope, receive, with_headers)
