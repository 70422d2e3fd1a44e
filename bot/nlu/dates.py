"""Dates in free text resolved to ISO strings relative to a given `today`."""

from __future__ import annotations

import re
from datetime import date, timedelta

_WEEKDAYS = {
    "maandag": 0, "dinsdag": 1, "woensdag": 2, "donderdag": 3, "vrijdag": 4, "zaterdag": 5,
    "zondag": 6, "monday": 0, "tuesday": 1, "wednesday": 2, "thursday": 3, "friday": 4,
    "saturday": 5, "sunday": 6,
}
_MONTHS = {
    "januari": 1, "februari": 2, "maart": 3, "april": 4, "mei": 5, "juni": 6, "juli": 7,
    "augustus": 8, "september": 9, "oktober": 10, "november": 11, "december": 12,
    "january": 1, "february": 2, "march": 3, "may": 5, "june": 6, "july": 7, "august": 8,
    "october": 10, "jan": 1, "feb": 2, "mrt": 3, "mar": 3, "apr": 4, "jun": 6, "jul": 7,
    "aug": 8, "sep": 9, "sept": 9, "okt": 10, "oct": 10, "nov": 11, "dec": 12,
}
_NUMBERS = {
    "een": 1, "twee": 2, "drie": 3, "vier": 4, "vijf": 5, "zes": 6, "zeven": 7, "acht": 8,
    "negen": 9, "tien": 10, "a": 1, "an": 1, "one": 1, "two": 2, "three": 3, "four": 4,
    "five": 5, "six": 6, "seven": 7, "eight": 8, "nine": 9, "ten": 10,
}
_WD = "|".join(_WEEKDAYS)
_MO = "|".join(sorted(_MONTHS, key=len, reverse=True))
_NUM = r"\d{1,2}|" + "|".join(_NUMBERS)

# Every kind starts at a word boundary; testing it once in front lets a scan skip the inside of
# words at once instead of trying each kind there.
_PATTERN = re.compile(
    rf"\b(?:(?P<iso>\d{{4}}-\d{{2}}-\d{{2}}\b)"
    rf"|(?P<dmy>\d{{1,2}}[-/.]\d{{1,2}}[-/.]\d{{2,4}}\b)"
    rf"|(?P<prevweek>(?:vorige|afgelopen) week (?P<pw_day>{_WD})\b)"
    rf"|(?P<nextweek>volgende week (?P<nw_day>{_WD})\b)"
    rf"|(?P<past_wd>(?:sinds|afgelopen|vorige|last|since|past|this past) (?P<p_day>{_WD})\b)"
    rf"|(?P<next_wd>(?:aanstaande|komende|next|this coming) (?P<n_day>{_WD})\b)"
    rf"|(?P<ago>(?P<ago_n>{_NUM}) (?P<ago_unit>dag|dagen|week|weken|day|days|week|weeks) "
    rf"(?:geleden|ago)\b)"
    rf"|(?P<dm>(?P<dm_d>\d{{1,2}})(?:st|nd|rd|th|e)? (?:of )?(?P<dm_m>{_MO})\.?"
    rf"(?: (?P<dm_y>\d{{4}}))?\b)"
    rf"|(?P<md>(?P<md_m>{_MO}) (?P<md_d>\d{{1,2}})(?:st|nd|rd|th)?(?:,? (?P<md_y>\d{{4}}))?\b)"
    rf"|(?P<rel>(?:eergisteren|gisteren|vandaag|morgen|overmorgen|yesterday|today|tomorrow"
    rf"|day before yesterday)\b))"
)
_RELATIVE = {
    "eergisteren": -2, "day before yesterday": -2, "gisteren": -1, "yesterday": -1,
    "vandaag": 0, "today": 0, "morgen": 1, "tomorrow": 1, "overmorgen": 2,
}


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


def _resolve(m: re.Match[str], today: date) -> date | None:
    kind = m.lastgroup
    g = m.group
    if g("iso"):
        y, mo, d = (int(x) for x in g("iso").split("-"))
        return _safe(y, mo, d)
    if g("dmy"):
        d, mo, y = (int(x) for x in re.split(r"[-/.]", g("dmy")))
        if y < 100:
            y += 2000
        return _safe(y, mo, d)
    if g("prevweek"):
        monday = today - timedelta(days=today.weekday() + 7)
        return monday + timedelta(days=_WEEKDAYS[g("pw_day")])
    if g("nextweek"):
        monday = today - timedelta(days=today.weekday()) + timedelta(days=7)
        return monday + timedelta(days=_WEEKDAYS[g("nw_day")])
    if g("past_wd"):
        return _last(today, _WEEKDAYS[g("p_day")])
    if g("next_wd"):
        ahead = (_WEEKDAYS[g("n_day")] - today.weekday() - 1) % 7 + 1
        return today + timedelta(days=ahead)
    if g("ago"):
        raw = g("ago_n")
        n = int(raw) if raw.isdigit() else _NUMBERS[raw]
        unit = 7 if g("ago_unit").startswith("w") else 1
        return today - timedelta(days=n * unit)
    if g("dm"):
        d, mo = int(g("dm_d")), _MONTHS[g("dm_m")]
        return _safe(int(g("dm_y")), mo, d) if g("dm_y") else _without_year(today, mo, d)
    if g("md"):
        d, mo = int(g("md_d")), _MONTHS[g("md_m")]
        return _safe(int(g("md_y")), mo, d) if g("md_y") else _without_year(today, mo, d)
    if kind == "rel":
        return today + timedelta(days=_RELATIVE[g("rel")])
    return None


def extract_dates(folded: str, today: date) -> tuple[str, ...]:
    found: list[str] = []
    for m in _PATTERN.finditer(folded):
        resolved = _resolve(m, today)
        if resolved is not None and (iso := resolved.isoformat()) not in found:
            found.append(iso)
    return tuple(found)
