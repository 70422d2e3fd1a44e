"""The complaint form on the organisation's website (`/klacht`, `/complaint`) as a channel."""
