"""The settings: one validated object from defaults, klachtbot.toml and KLACHTBOT_*
environment, checked at start-up. May import `bot.policy` (it parses the calendar and
deadline settings into its types), nothing else of ours."""
