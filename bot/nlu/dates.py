"""Dates and times in free text: the words as written, and the days they mean relative to a
given `today` ("vorige week dinsdag", "gisteravond", "12 t/m 26 december", "last Thursday").

Customers mostly refer back in time, so a bare weekday or a day without a year is read as the
last one before today, unless the sentence looks ahead ("komt", "volgende", "can you", "will").
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from datetime import date, timedelta

_WEEKDAYS = {
    "maandag": 0,
    "dinsdag": 1,
    "woensdag": 2,
    "donderdag": 3,
    "vrijdag": 4,
    "zaterdag": 5,
    "zondag": 6,
    "monday": 0,
    "tuesday": 1,
    "wednesday": 2,
    "thursday": 3,
    "friday": 4,
    "saturday": 5,
    "sunday": 6,
    "ma": 0,
    "di": 1,
    "wo": 2,
    "do": 3,
    "vr": 4,
    "za": 5,
    "zo": 6,
    "mon": 0,
    "tue": 1,
    "tues": 1,
    "wed": 2,
    "thu": 3,
    "thurs": 3,
    "fri": 4,
    "sat": 5,
    "sun": 6,
}
_MONTHS = {
    "januari": 1,
    "februari": 2,
    "maart": 3,
    "april": 4,
    "mei": 5,
    "juni": 6,
    "juli": 7,
    "augustus": 8,
    "september": 9,
    "oktober": 10,
    "november": 11,
    "december": 12,
    "january": 1,
    "february": 2,
    "march": 3,
    "may": 5,
    "june": 6,
    "july": 7,
    "august": 8,
    "october": 10,
    "jan": 1,
    "feb": 2,
    "mrt": 3,
    "mar": 3,
    "apr": 4,
    "jun": 6,
    "jul": 7,
    "aug": 8,
    "sep": 9,
    "sept": 9,
    "okt": 10,
    "oct": 10,
    "nov": 11,
    "dec": 12,
}
_NUMBERS = {
    "een": 1,
    "twee": 2,
    "drie": 3,
    "vier": 4,
    "vijf": 5,
    "zes": 6,
    "zeven": 7,
    "acht": 8,
    "negen": 9,
    "tien": 10,
    "a": 1,
    "an": 1,
    "one": 1,
    "two": 2,
    "three": 3,
    "four": 4,
    "five": 5,
    "six": 6,
    "seven": 7,
    "eight": 8,
    "nine": 9,
    "ten": 10,
    "paar": 2,
    "couple of": 2,
}
_PART = r"(?:ochtend|morgen|middag|avond|nacht)"
_WD_LONG = (
    "maandag|dinsdag|woensdag|donderdag|vrijdag|zaterdag|zondag|monday|tuesday|wednesday|"
    "thursday|friday|saturday|sunday"
)
_WD = rf"(?:{_WD_LONG})(?:{_PART}|s)?"
_MO = "|".join(sorted(_MONTHS, key=len, reverse=True))
_NUM = r"\d{1,2}|" + "|".join(sorted(_NUMBERS, key=len, reverse=True))
_DAY = r"\d{1,2}(?:st|nd|rd|th|e|ste|de)?"

_DATE = re.compile(
    rf"\b(?:(?P<iso>\d{{4}}-\d{{2}}-\d{{2}})\b"
    rf"|(?P<dmy>\d{{1,2}}[-/.]\d{{1,2}}[-/.]\d{{2,4}})\b"
    rf"|(?P<range>(?P<r_from>\d{{1,2}})(?:e)? ?(?:t/m|tot en met|tot|-|to|until|till|en|and|&) ?"
    rf"(?P<r_to>\d{{1,2}})(?:e)? (?P<r_month>{_MO})\b\.?(?: (?P<r_year>\d{{4}}))?)"
    rf"|(?P<dm>(?:the )?(?P<dm_d>{_DAY}) (?:of )?(?P<dm_m>{_MO})\b\.?(?: (?P<dm_y>\d{{4}}))?)"
    rf"|(?P<md>(?P<md_m>{_MO}) (?:the )?(?P<md_d>{_DAY})(?:,? (?P<md_y>\d{{4}}))?)\b"
    rf"|(?P<ordinal>(?:the|de|op de) (?P<o_d>\d{{1,2}})(?:st|nd|rd|th|e|ste|de))\b"
    rf"(?! (?:keer|maal|verdieping|etage|floor|time|week|dag|maand|plaats|klas))"
    rf"|(?P<dm_short>(?P<ds_d>\d{{1,2}})[/-](?P<ds_m>\d{{1,2}}))(?![/\d-])(?!/10\b)"
    rf"|(?P<prevweek>(?:vorige|afgelopen) week (?P<pw_day>{_WD}))\b"
    rf"|(?P<nextweek>volgende week (?P<nw_day>{_WD}))\b"
    rf"|(?P<past_wd>(?:afgelopen|vorige|last|this past|past) (?P<p_day>{_WD}))\b"
    rf"|(?P<next_wd>(?:aanstaande|komende|next|this coming|coming) (?P<n_day>{_WD}))\b"
    rf"|(?P<ago>(?P<ago_n>{_NUM}) (?P<ago_unit>dag|dagen|week|weken|day|days|weeks) "
    r"(?:geleden|ago))\b"
    r"|(?P<period>(?:vorige|afgelopen|deze|volgende|last|this|next|past) "
    r"(?:week|maand|month|weekend|jaar|year)(?: (?:" + _MO + r"))?)\b"
    r"|(?P<partday>(?:van|gister|eergister)(?:ochtend|morgen|middag|avond|nacht)|"
    r"(?:this|yesterday|tomorrow) (?:morning|afternoon|evening|night)|last night|tonight)\b"
    r"|(?P<rel>eergisteren|gisteren|vandaag|morgen|overmorgen|yesterday|today|tomorrow"
    r"|day before yesterday)\b"
    rf"|(?P<part_month>(?:begin|eind|half|medio|midden|early|late|mid|end of|beginning of) "
    rf"(?P<pm_m>{_MO}))\b"
    r"|(?P<today_part>deze (?:ochtend|morgen|middag|avond))\b"
    r"|(?P<season>(?:vorig|dit|volgend|afgelopen|deze|last|this|next) (?:jaar|year|zomer|winter|"
    r"lente|najaar|voorjaar|herfst|summer|spring|autumn)|(?:de|the|afgelopen|sinds de) "
    r"(?:zomer|winter|kerst|summer|christmas)|voor de kerst|(?:2e |tweede |eerste |1e )?"
    r"(?:paasdag|pinksterdag|kerstdag)|(?:in )?week \d{1,2})\b"
    r"|(?P<year>(?<![\d/.,-])(?:19[5-9]\d|20[0-4]\d)(?![\d/-]|[.,]\d))"
    rf"|(?P<wd>(?P<wd_day>{_WD}))\b"
    rf"|(?P<month>(?:vorig jaar |last year )?(?P<mo>januari|februari|maart|april|mei|juni|juli|"
    r"augustus|september|oktober|november|december|january|february|march|june|july|"
    r"august|october)|(?<=in )May)\b)",
    re.I,
)
_RELATIVE = {
    "eergisteren": -2,
    "day before yesterday": -2,
    "gisteren": -1,
    "yesterday": -1,
    "vandaag": 0,
    "today": 0,
    "morgen": 1,
    "tomorrow": 1,
    "overmorgen": 2,
}
_PART_DAY = {
    "van": 0,
    "this": 0,
    "tonight": 0,
    "gister": -1,
    "yesterday": -1,
    "last": -1,
    "eergister": -2,
    "tomorrow": 1,
}
# A sentence that looks ahead: its bare weekday is the coming one.
_AHEAD = re.compile(
    r"\b(?:komt|komen|kom|zal|zullen|gaat|kan|kunt|kunnen|wil|wilt|graag|volgende|aanstaande|"
    r"afspraak staat|ben .{0,20}thuis|will|can|could|would you|next|coming|i'?m (?:home|in)|"
    r"going to|planned|gepland|ingepland)\b",
    re.I,
)
# ... unless it tells of a promise not kept: "de monteur zou dinsdag komen".
_PROMISED = re.compile(
    r"\b(?:zou|zouden|had|hadden|would|was supposed|were supposed|beloofd|promised|was|were)\b",
    re.I,
)
# A sentence ends at ".", "!", "?" or a line break; not at the dot of "3 mrt. 2026".
_SENTENCE = re.compile(r"(?:[^.!?\n]|\.(?=\S|\s[a-z0-9]))+")

_HOUR_CUE = r"(?:om|rond|omstreeks|tegen|vanaf|tot|voor|na|at|around|after|before|by|from|until)"
_TIME = re.compile(
    r"(?P<time>\b(?:tussen|between) (?:\d{1,2}(?:[:.]\d{2})?) ?(?:en|and|-) ?\d{1,2}(?:[:.]\d{2})?"
    r"(?: ?(?:uur|u|h|am|pm|o'clock))?"
    r"|\b\d{1,2}[:.]\d{2} ?(?:tot|-|to|until|en) ?\d{1,2}[:.]\d{2}(?: ?uur)?"
    rf"|\b(?:{_HOUR_CUE} (?:ongeveer |about )?)?\d{{1,2}}:\d{{2}}(?!\d)(?: ?(?:uur|u\b|h\b|am|pm))?"
    rf"|\b(?:{_HOUR_CUE} (?:ongeveer |about )?)\d{{1,2}}\.\d{{2}}(?!\d)(?: ?(?:uur|u\b|h\b))?"
    r"|\b\d{1,2}\.\d{2} ?uur\b"
    rf"|\b{_HOUR_CUE} (?:ongeveer )?\d{{1,2}} ?uur\b"
    r"(?! (?:lang|te laat|later|arbeid|werk|rijden|wachten))"
    r"(?: 's (?:ochtends|middags|avonds|nachts))?"
    r"|\b\d{1,2}(?:[:.]\d{2})? ?(?:uur )?'s (?:ochtends|middags|avonds|nachts)"
    r"|\b(?:een )?uur of (?:een|twee|drie|vier|vijf|zes|zeven|acht|negen|tien|elf|twaalf|\d{1,2})\b"
    r"|\b(?:sinds|om|vanaf|tot) \d{1,2}u\b"
    r"|\b(?:van|from|between) \d{1,2}(?:[:.]\d{2})? ?(?:tot|to|till|until|-|\u2013) ?"
    r"\d{1,2}(?:[:.]\d{2})?"
    r"\b(?! ?(?:dagen|weken|maanden|jaar|euro|%|days|weeks|months|years|per|x\b|keer|times))"
    r"|\b\d{1,2}(?:[:.]\d{2})? ?(?:to|\u2013) ?\d{1,2}(?:[:.]\d{2})?\b"
    r"(?! ?(?:dagen|weken|maanden|jaar|euro|%|days|weeks|months|years|per|x\b|keer|times))"
    r"|\b(?:(?:at|around|after|before|by|from) (?:about )?)?(?:half past|quarter past|quarter to) "
    r"(?:one|two|three|four|five|six|seven|eight|nine|ten|eleven|twelve|\d{1,2})\b"
    r"|\b(?:(?:at|around|after|before|by|from) )?\d{1,2} in the (?:morning|afternoon|evening)\b"
    rf"|\b(?:{_HOUR_CUE} (?:about )?)?\d{{1,2}}(?::\d{{2}})? ?(?:am|pm|a\.m\.|p\.m\.)"
    rf"|\b(?:{_HOUR_CUE} (?:about )?)?\d{{1,2}} o'clock\b"
    r"|\b(?:om |rond |na |voor )?(?:half|kwart over|kwart voor|tien over|tien voor|vijf over|"
    r"vijf voor) (?:half )?(?:een|twee|drie|vier|vijf|zes|zeven|acht|negen|tien|elf|twaalf|"
    r"\d{1,2})\b"
    r"|\b(?:na|after) \d{1,2}\b(?! ?(?:dagen|weken|maanden|jaar|days|weeks|months|years|euro|"
    r"%|min|minuten|minutes|uur|hours|keer|times|[/.:,-]\d))"
    r"|\b(?:'s ochtends|'s middags|'s avonds|'s nachts))",
    re.I,
)


@dataclass(frozen=True)
class DateMention:
    """Words naming a date, and the days they mean (none where no single day is meant)."""

    text: str
    days: tuple[date, ...]


def _safe(year: int, month: int, day: int) -> date | None:
    try:
        return date(year, month, day)
    except ValueError:
        return None


def _without_year(today: date, month: int, day: int) -> date | None:
    # Customers mostly refer back in time; a date far ahead is read as last year's.
    found = _safe(today.year, month, day)
    if found is not None and found > today + timedelta(days=183):
        return _safe(today.year - 1, month, day)
    return found


def _last(today: date, weekday: int) -> date:
    """Most recent `weekday` strictly before today."""
    return today - timedelta(days=(today.weekday() - weekday - 1) % 7 + 1)


def _next(today: date, weekday: int) -> date:
    return today + timedelta(days=(weekday - today.weekday() - 1) % 7 + 1)


def _weekday(word: str) -> int:
    word = word.lower()
    for name, number in _WEEKDAYS.items():
        if len(name) > 3 and word.startswith(name):
            return number
    return _WEEKDAYS[word]


def _day(raw: str) -> int:
    return int(re.match(r"\d+", raw).group(0))  # type: ignore[union-attr]


def _resolve(m: re.Match[str], today: date, ahead: bool) -> tuple[date, ...]:
    g = m.group
    found: date | None = None
    if g("iso"):
        y, mo, d = (int(x) for x in g("iso").split("-"))
        found = _safe(y, mo, d)
    elif g("dmy"):
        d, mo, y = (int(x) for x in re.split(r"[-/.]", g("dmy")))
        found = _safe(y + 2000 if y < 100 else y, mo, d)
    elif g("range"):
        month = _MONTHS[g("r_month").lower()]
        year = int(g("r_year")) if g("r_year") else None
        days = [
            _safe(year, month, int(d)) if year else _without_year(today, month, int(d))
            for d in (g("r_from"), g("r_to"))
        ]
        return tuple(d for d in days if d is not None)
    elif g("dm"):
        d, mo = _day(g("dm_d")), _MONTHS[g("dm_m").lower()]
        found = _safe(int(g("dm_y")), mo, d) if g("dm_y") else _without_year(today, mo, d)
    elif g("md"):
        d, mo = _day(g("md_d")), _MONTHS[g("md_m").lower()]
        found = _safe(int(g("md_y")), mo, d) if g("md_y") else _without_year(today, mo, d)
    elif g("ordinal"):
        found = _safe(today.year, today.month, int(g("o_d")))
        if found is not None and found > today:
            previous = today.replace(day=1) - timedelta(days=1)
            found = _safe(previous.year, previous.month, int(g("o_d")))
    elif g("dm_short"):
        found = _without_year(today, int(g("ds_m")), int(g("ds_d")))
    elif g("prevweek"):
        monday = today - timedelta(days=today.weekday() + 7)
        found = monday + timedelta(days=_weekday(g("pw_day")))
    elif g("nextweek"):
        monday = today - timedelta(days=today.weekday()) + timedelta(days=7)
        found = monday + timedelta(days=_weekday(g("nw_day")))
    elif g("past_wd"):
        found = _last(today, _weekday(g("p_day")))
    elif g("next_wd"):
        found = _next(today, _weekday(g("n_day")))
    elif g("ago"):
        raw = g("ago_n").lower()
        n = int(raw) if raw.isdigit() else _NUMBERS[raw]
        unit = 7 if g("ago_unit").lower().startswith("w") else 1
        found = today - timedelta(days=n * unit)
    elif g("partday"):
        word = g("partday").lower().split()[0]
        prefix = next(p for p in sorted(_PART_DAY, key=len, reverse=True) if word.startswith(p))
        found = today + timedelta(days=_PART_DAY[prefix])
    elif g("today_part"):
        found = today
    elif g("rel"):
        found = today + timedelta(days=_RELATIVE[g("rel").lower()])
    elif g("wd"):
        weekday = _weekday(g("wd_day"))
        found = _next(today, weekday) if ahead else _last(today, weekday)
    return (found,) if found is not None else ()


def find_dates(text: str, today: date) -> list[DateMention]:
    out: list[DateMention] = []
    for sentence in _SENTENCE.finditer(text):
        said = sentence.group(0)
        ahead = _AHEAD.search(said) is not None and _PROMISED.search(said) is None
        for m in _DATE.finditer(text, sentence.start(), sentence.end()):
            if m.group("wd") and m.group("wd_day").lower() in ("mei", "may"):
                continue
            out.append(DateMention(m.group(0), _resolve(m, today, ahead)))
    return out


def find_times(text: str) -> list[str]:
    return [m.group("time") for m in _TIME.finditer(text)]
