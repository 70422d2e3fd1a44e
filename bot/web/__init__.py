"""The bot's web server: one ASGI app (Starlette) served by uvicorn on the bot's own event
loop. It carries the Telegram webhook; the handler desk is to join it."""
