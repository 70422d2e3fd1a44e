"""Plumbing shared by the bot and the channels: the clock (time passed in, so tests drive it),
structured logs without secrets, inert printing of outside text on a terminal, the templates
every word comes from, and `Problem`: why a configured service does not work, in one line.
Imports nothing of ours: `bot`, `channels` and `storage` may all import it."""
