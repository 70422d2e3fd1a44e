"""Cross-site request forgery: every form carries a token the attacker's page cannot know.

Logged in, the token is the session's own (stored with it, see sessions.py). On the login
form there is no session yet: the token is a random value that is also set as a cookie
(double submit); another site can neither read that cookie nor, with SameSite=Strict, make
the browser send it. Browsers that say where a request comes from (`Sec-Fetch-Site`) are
held to it as well.
"""

from __future__ import annotations

import hmac
import secrets

from starlette.datastructures import FormData
from starlette.requests import Request

FIELD = "csrf_token"
LOGIN_COOKIE = "klachtbot_login"
_SAME_SITE = ("same-origin", "none")  # "none": typed in or a bookmark, not another page


def new_token() -> str:
    return secrets.token_urlsafe(32)


def form_is_ours(request: Request, form: FormData, expected: str | None) -> bool:
    if request.headers.get("sec-fetch-site", "same-origin") not in _SAME_SITE:
        return False
    given = form.get(FIELD)
    if not isinstance(given, str) or not given or not expected:
        return False
    return hmac.compare_digest(given.encode(), expected.encode())
