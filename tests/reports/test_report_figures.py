"""The report's figures over a generated history (tests/reports/history.py), each section
against the numbers worked out by hand there, on SQLite and PostgreSQL."""

from datetime import date

import pytest

from bot.policy.calendar import Calendar
from bot.reports import patterns
from bot.reports.report import Period, Report, build, shifted
from storage.db import SessionFactory, transaction
from tests.reports.history import NOW, TZ, seed

NOVEMBER = Period(date(2026, 11, 1), date(2026, 11, 30))


async def november(sessions: SessionFactory) -> Report:
    async with transaction(sessions) as session:
        await seed(session)
    async with transaction(sessions) as session:
        return await build(session, NOVEMBER, now=NOW, calendar=Calendar(tz=TZ))


async def test_each_section_matches_the_hand_computed_history(sessions: SessionFactory) -> None:
    report = await november(sessions)
    now = report.current
    assert report.previous_period == Period(date(2026, 10, 1), date(2026, 10, 31))
    assert now.cases == 11
    assert now.hidden == 3
    assert now.per_category == {"service_execution": 8, "billing": 2, "delivery": 1}
    assert now.per_intent == {"complaint": 9, "repair_request": 2}
    assert now.per_channel == {"email": 9, "telegram": 2}
    # Office hours: 4, 2, 4, 8 x 4, 12 x 2.
    assert now.resolved == 9
    assert (now.handling_median_hours, now.handling_p90_hours) == (8.0, 12.0)
    assert (now.first_contact_met, now.first_contact_due) == (2, 4)
    assert (now.resolution_met, now.resolution_due) == (2, 4)
    assert (now.escalations, now.escalated_cases) == (2, 2)
    assert (now.checks_no, now.checks_answered) == (1, 2)
    assert now.survey_averages == {
        "overall": 3.0,
        "listened": 4.0,
        "informed": 2.0,
        "resolved": 4.0,
    }
    assert (now.surveys_answered, now.surveys_sent) == (2, 3)
    # Customer 101 on billing again; Kerkstraat again, and seven lifts after the first.
    assert (now.repeat_customer_topic, now.repeat_complex) == (1, 8)

    before = report.previous
    assert before.cases == 3
    assert before.per_category == {"billing": 2, "delivery": 1}
    assert before.resolved == 0
    assert before.handling_median_hours is None
    assert (before.repeat_customer_topic, before.repeat_complex) == (0, 1)
    assert report.year_ago is not None
    assert report.year_ago.cases == 4

    assert report.bucket == "week"
    assert report.series["category"] == {
        "2026-W45": {"billing": 2, "delivery": 1},
        "2026-W47": {"service_execution": 8},
    }


async def test_the_spike_is_named_and_the_ordinary_is_not(sessions: SessionFactory) -> None:
    report = await november(sessions)
    named = {(r.dimension, r.value, r.count, r.baseline) for r in report.rises}
    assert named == {
        ("topic", "service_execution", 8, 0.0),
        ("product", "lift", 8, 0.0),
        ("complex", "parkweg, amersfoort", 8, 0.0),
        ("handler", "Noor", 8, 0.0),
    }
    assert report.phrases == [("derde verdieping", 8), ("lift staat stil", 8)]


def test_the_rise_rule() -> None:
    history = [{"billing": 3}] * 6
    assert patterns.rises("topic", {"billing": 6}, history) == []  # double, but ordinary
    assert [r.value for r in patterns.rises("topic", {"billing": 11}, history)] == ["billing"]
    assert patterns.rises("topic", {"new": 4}, history) == []  # too few to call
    assert patterns.poisson_tail(0, 2.0) == 1.0
    assert patterns.poisson_tail(1, 2.0) == pytest.approx(1 - 0.1353352832, abs=1e-9)


def test_whole_months_shift_as_months() -> None:
    assert shifted(NOVEMBER, 1) == Period(date(2026, 10, 1), date(2026, 10, 31))
    assert shifted(NOVEMBER, 9) == Period(date(2026, 2, 1), date(2026, 2, 28))
    week = Period(date(2026, 11, 2), date(2026, 11, 8))
    assert shifted(week, 1) == Period(date(2026, 10, 26), date(2026, 11, 1))


def test_office_hours_between() -> None:
    calendar = Calendar(tz=TZ)
    from tests.reports.history import at

    assert calendar.office_hours_between(at(11, 6, 15), at(11, 9, 11)) == 4.0  # over a weekend
    assert calendar.office_hours_between(at(11, 3, 16), at(11, 4, 10)) == 2.0
    assert calendar.office_hours_between(at(11, 4, 10), at(11, 3, 16)) == 0.0
    assert calendar.office_hours_between(at(12, 24, 16), at(12, 28, 10)) == 2.0  # Christmas
