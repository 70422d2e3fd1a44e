"""Running the bot: the app that starts and stops everything on one event loop, the
dispatcher that sends due outbox rows, opening the database, warm-up, signals, the schedule
built from the settings, and the wiring of each channel. The top of the core: may import every
`bot` package but the CLI, `common`, `channels` and `storage`; nothing below imports it."""
