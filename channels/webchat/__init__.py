"""The chat on the organisation's website (`/widget.js`, `/chat`) as a channel."""
