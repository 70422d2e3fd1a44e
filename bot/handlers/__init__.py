"""The people who handle cases: the handoff summary, the Telegram handler group (handoffs,
/zaken, replies relayed to the customer), the notice to a handler
when a message for a customer failed for good, and the chat commands (/start, /stop, /taal)
whose parser the group shares. May import `bot.dialogue`, `common`, `channels` (neutral types)
and `storage`; not the intake, follow-ups or runtime."""
