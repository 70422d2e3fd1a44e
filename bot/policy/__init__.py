"""The organisation's rules of time: when people work (office hours, public holidays,
quiet hours) and how soon contact and resolution are promised (the deadline policy).
Pure, like the dialogue that reads it: imports nothing of ours and does no I/O."""
