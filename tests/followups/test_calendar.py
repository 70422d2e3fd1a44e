"""The calendar: office hours, Dutch public holidays, extra closed days, quiet hours."""

from datetime import UTC, date, datetime, time, timedelta
from zoneinfo import ZoneInfo

import pytest
from hypothesis import given
from hypothesis import strategies as st

from bot.config.settings import Settings, SettingsError, load_settings
from bot.policy.calendar import Calendar
from bot.policy.deadlines import Deadlines, Rule, Span, parse_span
from bot.runtime.schedule import calendar_for, deadlines_for

AMS = ZoneInfo("Europe/Amsterdam")
calendar = Calendar()


def local(year: int, month: int, day: int, hour: int = 0, minute: int = 0) -> datetime:
    return datetime(year, month, day, hour, minute, tzinfo=AMS)


def test_friday_evening_before_whit_monday_is_promised_for_tuesday() -> None:
    # Whit Monday (Tweede Pinksterdag) 2027 is Monday 17 May.
    friday_evening = local(2027, 5, 14, 18, 0)
    due = Deadlines(calendar=calendar).first_contact_due(
        friday_evening, intent="complaint", category="service_execution"
    )
    assert due.astimezone(AMS) == local(2027, 5, 18, 17, 0)
    assert calendar.next_open(friday_evening).astimezone(AMS) == local(2027, 5, 18, 9, 0)


def test_without_the_holiday_the_same_friday_is_promised_for_monday() -> None:
    plain = Calendar(holiday=lambda _day: False)
    assert plain.add_business_days(local(2027, 5, 14, 18, 0), 1).astimezone(AMS) == local(
        2027, 5, 17, 17, 0
    )


def test_both_christmas_days_2028_are_closed() -> None:
    # Christmas 2028: Monday 25 and Tuesday 26 December.
    due = calendar.add_business_days(local(2028, 12, 22, 18, 0), 1)
    assert due.astimezone(AMS) == local(2028, 12, 27, 17, 0)


def test_extra_closed_days_are_skipped() -> None:
    closed = Calendar(extra_closed=frozenset({date(2026, 11, 25)}))
    assert closed.add_business_days(local(2026, 11, 24, 10, 0), 1).astimezone(AMS) == local(
        2026, 11, 26, 17, 0
    )


def test_zero_days_is_today_before_closing_else_the_next_open_day() -> None:
    assert calendar.add_business_days(local(2026, 11, 24, 10, 0), 0).astimezone(AMS) == local(
        2026, 11, 24, 17, 0
    )
    assert calendar.add_business_days(local(2026, 11, 24, 17, 30), 0).astimezone(AMS) == local(
        2026, 11, 25, 17, 0
    )


def test_business_hours_carry_over_nights_and_weekends() -> None:
    # Friday 15:00 + 4 office hours: 2 on Friday, 2 on Monday.
    due = calendar.add_business_hours(local(2026, 11, 27, 15, 0), 4)
    assert due.astimezone(AMS) == local(2026, 11, 30, 11, 0)
    # Saturday night counts from Monday's opening.
    assert calendar.add_business_hours(local(2026, 11, 28, 23, 0), 1).astimezone(AMS) == local(
        2026, 11, 30, 10, 0
    )


def test_next_open_during_office_hours_is_now() -> None:
    moment = local(2026, 11, 24, 10, 15)
    assert calendar.next_open(moment) == moment.astimezone(UTC)
    assert calendar.next_open(local(2026, 11, 24, 7, 0)).astimezone(AMS) == local(
        2026, 11, 24, 9, 0
    )


def test_quiet_hours_end_at_eight() -> None:
    assert calendar.end_of_quiet(local(2026, 11, 24, 22, 30)).astimezone(AMS) == local(
        2026, 11, 25, 8, 0
    )
    assert calendar.end_of_quiet(local(2026, 11, 25, 3, 0)).astimezone(AMS) == local(
        2026, 11, 25, 8, 0
    )
    afternoon = local(2026, 11, 25, 14, 0)
    assert calendar.end_of_quiet(afternoon) == afternoon.astimezone(UTC)
    assert calendar.deliver_at(local(2026, 11, 24, 22, 30), urgent=True) == local(
        2026, 11, 24, 22, 30
    )


def test_emergencies_run_round_the_clock() -> None:
    saturday_night = local(2026, 11, 28, 23, 0)
    due = Deadlines(calendar=calendar).first_contact_due(
        saturday_night, intent="emergency", category=None
    )
    assert due == saturday_night + timedelta(hours=2)


def test_an_urgent_complaint_keeps_the_emergency_rule() -> None:
    saturday_night = local(2026, 11, 28, 23, 0)
    deadlines = Deadlines(calendar=calendar)
    first, resolve = deadlines.first_contact_due, deadlines.resolution_due
    urgent = first(saturday_night, intent="complaint", category="product", urgent=True)
    assert urgent == saturday_night + timedelta(hours=2)
    assert resolve(saturday_night, intent="complaint", category="product", urgent=True) == (
        resolve(saturday_night, intent="emergency", category=None)
    )
    plain = first(saturday_night, intent="complaint", category="product")
    assert plain > urgent + timedelta(days=1)


def test_an_intent_rule_wins_over_a_category_rule() -> None:
    deadlines = Deadlines(
        calendar=calendar,
        intents={"dispute": Rule(first_contact=Span(4, "business_hours"))},
        categories={"billing": Rule(first_contact=Span(3, "business_days"))},
    )
    tuesday = local(2026, 11, 24, 10, 0)
    assert deadlines.first_contact_due(tuesday, intent="dispute", category="billing").astimezone(
        AMS
    ) == local(2026, 11, 24, 14, 0)
    assert deadlines.first_contact_due(tuesday, intent="complaint", category="billing").astimezone(
        AMS
    ) == local(2026, 11, 27, 17, 0)
    assert deadlines.resolution_due(tuesday, intent="complaint", category=None).astimezone(
        AMS
    ) == local(2026, 12, 8, 17, 0)


def test_spans_read_as_people_write_them() -> None:
    assert parse_span("1 business day") == Span(1, "business_days")
    assert parse_span("4 Business Hours") == Span(4, "business_hours")
    assert parse_span("2 hours") == Span(2, "hours")
    assert parse_span("3 days") == Span(3, "days")
    for bad in ("soon", "1.5 business days", "2 weeks"):
        try:
            parse_span(bad)
        except ValueError:
            continue
        raise AssertionError(bad)


moments = st.datetimes(
    min_value=datetime(2026, 1, 1), max_value=datetime(2030, 12, 31), timezones=st.just(UTC)
)


@given(moments)
def test_next_open_is_open_and_never_earlier(at: datetime) -> None:
    opened = calendar.next_open(at)
    assert opened >= at
    assert calendar.is_open(opened)
    # Nothing in between was open: the search did not skip an opening.
    if opened > at:
        assert not calendar.is_open(opened - timedelta(minutes=1)) or opened == at


@given(moments, st.integers(min_value=0, max_value=15))
def test_business_days_end_at_closing_time_on_an_open_day(at: datetime, days: int) -> None:
    due = calendar.add_business_days(at, days).astimezone(AMS)
    assert due > at
    assert due.time() == time(17, 0)
    assert calendar.hours_on(due.date()) is not None
    # From a closed moment, "today" already means the next open day, so 0 and 1 may agree.
    assert calendar.add_business_days(at, days + 1) >= due
    assert calendar.add_business_days(at, days + 2) > due


@given(moments, st.floats(min_value=0.25, max_value=80))
def test_business_hours_count_only_office_time(at: datetime, hours: float) -> None:
    due = calendar.add_business_hours(at, hours)
    assert due > at
    counted = timedelta()
    step = timedelta(minutes=15)
    cursor = calendar.next_open(at)
    # Walk in quarter hours and count the open ones; rounding to the quarter hour.
    while cursor < due:
        if calendar.is_open(cursor):
            counted += min(step, due - cursor)
        cursor += step
    assert abs(counted - timedelta(hours=hours)) <= timedelta(minutes=15)


@given(moments)
def test_end_of_quiet_is_outside_quiet_hours_and_within_a_day(at: datetime) -> None:
    end = calendar.end_of_quiet(at)
    assert not calendar.in_quiet_hours(end)
    # Quiet hours are 21:00-08:00 on the wall clock: 11 hours, 12 on the night the clocks
    # go back (and 10 when they go forward).
    clocks_went_back = at.astimezone(AMS).utcoffset() - end.astimezone(AMS).utcoffset()  # type: ignore[operator]
    assert timedelta(0) <= end - at <= timedelta(hours=11) + clocks_went_back


def test_settings_name_the_key_of_a_bad_span_or_country() -> None:
    with pytest.raises(SettingsError) as bad:
        load_settings(
            None,
            deadlines={"categories": {"billing": {"resolution": "soon"}}},
            calendar={"holidays_country": "XX"},
        )
    message = str(bad.value)
    assert "deadlines.categories.billing.resolution" in message
    assert "calendar.holidays_country" in message


def test_the_calendar_follows_the_settings() -> None:
    settings = Settings.model_validate(
        {
            "calendar": {
                "office_hours": {"monday": "08:00-12:00", "tuesday": "", "saturday": ""},
                "extra_closed_days": ["2026-11-30"],
            },
            "deadlines": {"first_contact": "2 business hours"},
        }
    )
    built = calendar_for(settings)
    # Only Monday mornings open, and Monday 30 November is closed: 7 December it is.
    assert built.next_open(local(2026, 11, 24, 10, 0)).astimezone(AMS) == local(2026, 12, 7, 8, 0)
    due = deadlines_for(settings, built).first_contact_due(
        local(2026, 11, 24, 10, 0), intent="complaint", category=None
    )
    assert due.astimezone(AMS) == local(2026, 12, 7, 10, 0)
