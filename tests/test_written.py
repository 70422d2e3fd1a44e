"""Facts and moments as people write them, in the reader's language."""

from datetime import UTC, datetime
from zoneinfo import ZoneInfo

import pytest

from common.written import readable_fact, readable_moment


@pytest.mark.parametrize(
    ("value", "kind", "nl", "en"),
    [
        ("2026-11-30", "when", "maandag 30 november 2026", "Monday 30 November 2026"),
        ("2026-11-30/2026-12-04", "when", "30 nov \u2013 4 dec 2026", "Nov 30 \u2013 Dec 4, 2026"),
        ("9.99", "amount", "€ 9,99", "€9.99"),
        ("9.99", "order_number", "9.99", "9.99"),  # a number is only money when it is an amount
        ("vorige week", "when", "vorige week", "vorige week"),  # as the customer wrote it
    ],
)
def test_a_fact_reads_as_people_write_it(value: str, kind: str, nl: str, en: str) -> None:
    # Which space Babel puts in a range or after "€" (plain, thin, no-break) depends on its
    # CLDR release; the words and their order are what matters here.
    assert _spaced(readable_fact(value, "nl", kind)) == nl
    assert _spaced(readable_fact(value, "en", kind)) == en


def _spaced(text: str) -> str:
    return " ".join(text.split())


def test_a_moment_has_its_day_time_and_zone() -> None:
    summer = readable_moment(
        datetime(2026, 7, 1, 15, tzinfo=UTC), ZoneInfo("Europe/Amsterdam"), "nl"
    )
    assert summer == {"day": "woensdag 1 juli 2026", "time": "17:00", "zone": "CEST"}
    assert readable_moment(None, ZoneInfo("UTC"), "en") is None
