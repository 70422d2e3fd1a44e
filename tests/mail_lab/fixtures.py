"""The `mail_lab` pytest fixture: one Dovecot + SMTP lab for the whole test session.

Wire it in with `from tests.mail_lab.fixtures import mail_lab  # noqa: F401` in tests/conftest.py.
The lab is shared: a test that counts messages calls `mail_lab.reset()` first (~20 ms).
"""

from __future__ import annotations

from collections.abc import Iterator

import pytest

from tests.mail_lab.lab import MailLab, dovecot_installed
from tests.support import require_service


@pytest.fixture(scope="session")
def mail_lab() -> Iterator[MailLab]:
    require_service(
        dovecot_installed(),
        "dovecot not installed: apt-get install -y dovecot-imapd dovecot-lmtpd",
    )
    with MailLab() as lab:
        yield lab
