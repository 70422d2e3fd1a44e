"""Reading messages off the event loop: the pool of helper processes for pure CPU work
(parsing mail, understanding text), reading stored messages ahead of their turn, and the
optional language model's second opinion. May import `bot.nlu`, `bot.config`, `common` and
`channels` (their neutral types); not the intake or anything above it."""
