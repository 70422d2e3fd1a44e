"""Settings that point klachtbot's email channel at a running mail lab."""

from __future__ import annotations

from bot.config.settings import Settings
from tests.mail_lab.lab import LAB_DOMAIN, MailLab

INTAKE = f"klachten@{LAB_DOMAIN}"


def lab_settings(database_url: str, lab: MailLab) -> Settings:
    return Settings.model_validate(
        {
            "database": {"url": database_url},
            "organisation": {"name": "Woonstichting De Linde"},
            "email": {
                "address": INTAKE,
                "imap_host": lab.imap_host,
                "imap_port": lab.imap_port,
                "imap_security": "none",
                "smtp_host": lab.smtp_host,
                "smtp_port": lab.smtp_port,
                "smtp_security": "none",
                "smtp_login": False,  # the lab's SMTP server is a local relay
                "username": INTAKE,
                "password": lab.users[INTAKE],
                "poll_seconds": 2,
            },
        }
    )
