"""The `klachtbot` command line, for handlers, coordinators and programs.

`main` builds the command and registers one module per command group (`running`,
`understanding`, `setup`, `cases`, `handlers`, `mail`, `outbox`, `report`). Those modules
import `common` (settings, event loop, database) and `output` (text in the organisation's
language, dates, JSON and CSV) and never each other or `main`, so there is no import
circle. The package may import the rest of `bot`, `channels` and `storage`; nothing
outside it imports it but the entry point (`klachtbot = bot.cli.main:main`).
"""
