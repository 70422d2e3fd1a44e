"""The coordinator's figures over a period: counts, handling times, deadlines met,
satisfaction. May import `common` and `storage` only."""
