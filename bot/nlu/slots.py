"""Slot extraction: every fact a handler can act on, in order of appearance."""

from __future__ import annotations

import re
from datetime import date
from decimal import Decimal, InvalidOperation

import phonenumbers

from bot.nlu.dates import find_dates, find_times
from bot.nlu.names import extract_names
from bot.nlu.places import extract_places
from bot.nlu.products import extract_products
from bot.nlu.references import Reference, extract_references
from bot.nlu.types import Slots

_NUMBER = (
    r"\d{1,3}(?:[.\s]\d{3})+(?:,\d{1,2})?"
    r"|\d{1,3}(?:,\d{3})+(?:\.\d{1,2})?"
    r"|\d+(?:[.,]\d{1,2})?"
)
_AMOUNT = re.compile(
    rf"(?:\u20ac|\beur\b|\beuro\b|\bEUR\b)\s?(?P<a>{_NUMBER})(?:,-)?"
    rf"|(?P<b>{_NUMBER})(?:,-)?\s?(?:euro'?s?\b|eur\b|\u20ac)",
    re.I,
)
# Money written without a currency sign: Dutch cents ("29,99"), or a number after a word
# that makes it money ("bedrag van 89", "van 120 naar 240 per maand", "charge 2.50").
_BARE_AMOUNT = re.compile(
    r"(?<![\d.,/-])(?P<a>\d{1,5},\d{2})(?![\d%]|,\d| ?(?:kwh|m3|m\b|km|kg|procent))"
    r"|\b(?:bedrag|termijnbedrag|maandbedrag|voorschot|amount|price|prijs|charge[sd]?|kost|kosten|"
    r"costs?|betaal|betaald|pay|paid|refund|creditnota)(?: \w+){0,2}? (?:van |of )?"
    r"(?P<b>\d{1,5}(?:[.,]\d{2})?)(?![\d.,%/-]| ?(?:dagen|weken|maanden|jaar|keer|days|weeks|"
    r"months|years|times|uur|hours|kwh|x\b))"
    r"|\b(?:van|from) (?P<c>\d{1,5}) (?:naar|to) (?P<d>\d{1,5}) (?:per|a|an|/)",
    re.I,
)
# Money written without a currency sign: Dutch cents ("29,99"), or a number after a word
_DIGIT = re.compile(r"\d")
_NOT_DIGIT = re.compile(r"\D")
_EMAIL = re.compile(r"[A-Za-z0-9._%+-]+@[A-Za-z0-9-]+(?:\.[A-Za-z0-9-]+)*\.[A-Za-z]{2,}")


def _amount(raw: str) -> str | None:
    raw = raw.replace(" ", "")
    if "," in raw and "." in raw:
        decimal_sep = "," if raw.rfind(",") > raw.rfind(".") else "."
    elif "," in raw:
        decimal_sep = "," if len(raw) - raw.rfind(",") - 1 in (1, 2) else ""
    elif "." in raw:
        decimal_sep = "." if len(raw) - raw.rfind(".") - 1 in (1, 2) else ""
    else:
        decimal_sep = ""
    thousands = {",", "."} - {decimal_sep}
    cleaned = "".join(ch for ch in raw if ch not in thousands)
    if decimal_sep:
        cleaned = cleaned.replace(decimal_sep, ".")
    try:
        return str(Decimal(cleaned))
    except InvalidOperation:
        return None


def _phones(text: str) -> list[str]:
    """Phone numbers as written. `phonenumbers` finds the candidates in running text; its
    strict check rejects numbers from ranges not handed out yet, which customers (and test
    data) still write, so a possible number is taken when it is written the way people write
    phone numbers: with a leading 0, 00 or +, never a bare run of digits like an order number."""
    found = []
    matcher = phonenumbers.PhoneNumberMatcher(text, "NL", leniency=phonenumbers.Leniency.POSSIBLE)
    for match in matcher:
        raw = match.raw_string
        written_as_phone = raw.startswith(("0", "+")) and len(_NOT_DIGIT.sub("", raw)) >= 9
        if written_as_phone or raw.startswith("0800"):
            found.append(raw)
    return found


def _unique(items: list[str]) -> tuple[str, ...]:
    return tuple(dict.fromkeys(items))


def extract_slots(text: str, folded: str, today: date) -> Slots:
    references: dict[Reference, list[str]] = {"customer": [], "order": [], "invoice": []}
    amounts: list[str] = []
    phones: list[str] = []
    postcodes: list[str] = []
    times: list[str] = []
    # Reference numbers, amounts, phone numbers, postcodes and times all contain a digit; many
    # chat messages have none, so one scan for a digit spares the others.
    has_digit = _DIGIT.search(text) is not None
    if has_digit:
        references = extract_references(text)
        spotted = [(m.start(), m.group("a") or m.group("b")) for m in _AMOUNT.finditer(text)]
        for m in _BARE_AMOUNT.finditer(text):
            spotted += [(m.start(g), m.group(g)) for g in "abcd" if m.group(g)]
        amounts = [a for _, raw in sorted(spotted) if (a := _amount(raw))]
        phones = _phones(text)
    times = find_times(text)
    addresses, postcodes, cities = extract_places(text)
    mentions = find_dates(text, today)
    return Slots(
        dates=_unique([day.isoformat() for mention in mentions for day in mention.days]),
        date_mentions=_unique([mention.text for mention in mentions]),
        times=_unique(times),
        order_numbers=_unique(references["order"]),
        invoice_numbers=_unique(references["invoice"]),
        customer_numbers=_unique(references["customer"]),
        amounts=_unique(amounts),
        products=_unique(extract_products(folded)),
        emails=_unique(_EMAIL.findall(text)) if "@" in text else (),
        phones=_unique(phones),
        names=_unique(extract_names(text)),
        addresses=_unique(addresses),
        postcodes=_unique(postcodes),
        cities=_unique(cities),
    )
