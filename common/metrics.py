"""What the bot counts as it happens, for `/metrics` (bot/web/metrics.py).

The counters live in prometheus_client's process-wide registry and are counted where the
event happens (bot/intake, bot/runtime/dispatcher, bot/followups). What is state in the
database (the outbox) is not counted here but read at scrape time, so it survives restarts
and is the same for every process on one database. A count made inside a transaction that is
later rolled back and retried is counted twice: these are rates to watch, not a ledger.
"""

from __future__ import annotations

from prometheus_client import Counter

INBOUND = Counter(
    "klachtbot_inbound_messages", "Messages taken in and stored, per channel.", ["channel"]
)
OUTBOUND = Counter("klachtbot_outbound_messages", "Messages sent, per channel.", ["channel"])
DIALOGUE_STEPS = Counter("klachtbot_dialogue_steps", "Steps of the customer dialogue.")
HANDOFFS = Counter("klachtbot_handoffs", "Cases handed off to a handler.")
DEADLINES_MISSED = Counter(
    "klachtbot_deadlines_missed",
    "Agreed moments that passed unmet (first contact, resolution, other agreements).",
    ["what"],
)
