"""The calendar and the deadline policy, built once from the settings."""

from __future__ import annotations

from datetime import timedelta

from bot.config.settings import DeadlineRuleSettings, Settings
from bot.followups.followups import FollowUps, Timing
from bot.followups.survey_links import SurveyLinks
from bot.outbound.outbound import Sender
from bot.policy.calendar import Calendar
from bot.policy.deadlines import Deadlines, Rule, parse_span
from bot.reports.delivery import Schedule


def calendar_for(settings: Settings) -> Calendar:
    section = settings.calendar
    return Calendar.build(
        tz=settings.organisation.tz,
        office_hours=section.office_hours,
        country=section.holidays_country,
        subdivision=section.holidays_subdivision or None,
        extra_closed_days=section.extra_closed_days,
        quiet_hours=section.quiet_hours,
    )


def _rule(section: DeadlineRuleSettings) -> Rule:
    return Rule(
        first_contact=parse_span(section.first_contact) if section.first_contact else None,
        resolution=parse_span(section.resolution) if section.resolution else None,
    )


def deadlines_for(settings: Settings, calendar: Calendar | None = None) -> Deadlines:
    section = settings.deadlines
    return Deadlines(
        calendar=calendar or calendar_for(settings),
        first_contact=parse_span(section.first_contact),
        resolution=parse_span(section.resolution),
        intents={name: _rule(rule) for name, rule in section.intents.items()},
        categories={name: _rule(rule) for name, rule in section.categories.items()},
    )


def followups_for(settings: Settings, sender: Sender) -> FollowUps:
    calendar = calendar_for(settings)
    timing = settings.followups
    return FollowUps(
        sender=sender,
        calendar=calendar,
        deadlines=deadlines_for(settings, calendar),
        timing=Timing(
            execution_check_days=timing.execution_check_days,
            survey_days=timing.survey_days,
            reminder_days=timing.reminder_days,
            warning_hours=timing.warning_hours,
            digest_hour=timing.digest_hour,
        ),
        email_enabled=settings.email.configured,
        language=settings.organisation.language,
        links=survey_links_for(settings),
    )


# A link in a survey or execution-check message answers it on a web page for this long.
LINK_VALID = timedelta(days=30)


def survey_links_for(settings: Settings) -> SurveyLinks | None:
    """Links need an address customers can open and a key that survives a restart."""
    web = settings.web
    key = web.secret_key.get_secret_value()
    if not (web.enabled and web.public_url and key):
        return None
    return SurveyLinks(base_url=web.public_url, secret_key=key.encode(), valid=LINK_VALID)


def report_schedule(settings: Settings) -> Schedule:
    """`[reports]`: which reports go to the coordinators, in the organisation's language."""
    return Schedule(
        monthly=settings.reports.monthly,
        quarterly=settings.reports.quarterly,
        language=settings.organisation.language,
        sender_name=settings.organisation.name,
    )
