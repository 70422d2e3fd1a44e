"""The bot's web server and the handlers' desk on it: one ASGI app (Starlette) served by
uvicorn on the bot's own event loop.

server.py runs an app; desk.py assembles the desk (login.py, pages.py, actions.py,
events.py, health.py) with its security (sessions.py, csrf.py, throttle.py, headers.py,
passwords.py) and accounts (accounts.py). The Telegram webhook
(channels/telegram/webhook.py) is served by a server of its own for now.
"""
