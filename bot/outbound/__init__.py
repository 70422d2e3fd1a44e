"""Every message for a customer, queued in the outbox: `queue_reply` renders it in the
case's language, threads it (mail) and sets its due time (quiet hours), for the dialogue's
answers and the follow-ups alike. May import `bot.policy`, `bot.dialogue` (its state),
`common` and `storage`."""
