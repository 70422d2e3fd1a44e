"""From a stored customer message to dialogue state and outbox rows, in one transaction:
storing and deduplicating what the channels read, routing (edits, automatic mail, chat
commands, handler replies, mail threads), stepping the dialogue and carrying out its actions.
May import every `bot` package below it (`nlu`, `dialogue`, `policy`, `reading`, `outbound`,
`handlers`, `followups`), `common`, `channels` and `storage`; not `runtime` or the CLI."""
