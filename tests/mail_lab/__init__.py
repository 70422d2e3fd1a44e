"""A real mail system on loopback for tests (Dovecot IMAP + LMTP, aiosmtpd SMTP); see lab.py."""

from tests.mail_lab.lab import LAB_DOMAIN, LAB_USERS, MailLab, MailLabError, SentMail, logout

__all__ = ["LAB_DOMAIN", "LAB_USERS", "MailLab", "MailLabError", "SentMail", "logout"]
