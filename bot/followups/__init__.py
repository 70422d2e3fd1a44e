"""What happens after the intake: the written confirmation, progress warnings and
escalations, the execution check, survey and closing message after resolution (as replayable
flows), and the daily digest. May import `bot.policy`, `bot.dialogue`, `bot.outbound`,
`bot.handlers`, `common`, `channels` (neutral types and mail tokens) and `storage`."""
