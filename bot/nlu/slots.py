"""Slot extraction: reference numbers, amounts, products, contact data and names."""

from __future__ import annotations

import re
from datetime import date
from decimal import Decimal, InvalidOperation

from bot.nlu.dates import extract_dates
from bot.nlu.types import Slots

_REF_TAIL = (
    r"(?:[ \t]*(?:nummer|nr|number|no|num|id|ref))?\.?[ \t]*(?:is|was|:|#)?[ \t]*:?[ \t]*#?"
    r"(?P<ref>[A-Za-z]{0,4}[-/]?\d[A-Za-z0-9]*(?:[-/][A-Za-z0-9]+)*)"
)
_REFERENCES = {
    "order": re.compile(
        r"\b(?:order|bestel(?:ling)?|bestel|ordernummer|bestelnummer)" + _REF_TAIL, re.I
    ),
    "invoice": re.compile(r"\b(?:factuur|invoice|nota|factuurnummer)" + _REF_TAIL, re.I),
    "customer": re.compile(
        r"\b(?:klant|customer|relatie|account|debiteur|huurder|contract)" + _REF_TAIL, re.I
    ),
}

_NUMBER = (
    r"\d{1,3}(?:[.\s]\d{3})+(?:,\d{1,2})?"
    r"|\d{1,3}(?:,\d{3})+(?:\.\d{1,2})?"
    r"|\d+(?:[.,]\d{1,2})?"
)
_AMOUNT = re.compile(
    rf"(?:\u20ac|\beur\b|\beuro\b)\s?(?P<a>{_NUMBER})(?:,-)?"
    rf"|(?P<b>{_NUMBER})(?:,-)?\s?(?:euro'?s?\b|eur\b|\u20ac)",
    re.I,
)

_DIGIT = re.compile(r"\d")
_EMAIL = re.compile(r"[A-Za-z0-9._%+-]+@[A-Za-z0-9-]+(?:\.[A-Za-z0-9-]+)*\.[A-Za-z]{2,}")
_PHONE_CANDIDATE = re.compile(r"(?<![\w+@.])(?:\+|00)?\d[\d \-()]{6,16}\d(?![\w@])")

_PRODUCTS = {
    "wasmachine": "wasmachine", "washing machine": "washing machine", "koelkast": "koelkast",
    "fridge": "fridge", "vriezer": "vriezer", "freezer": "freezer", "cv-ketel": "cv-ketel",
    "cv ketel": "cv-ketel", "ketel": "ketel", "boiler": "boiler",
    "kraan": "kraan", "tap": "tap", "vaatwasser": "vaatwasser", "afwasmachine": "afwasmachine",
    "dishwasher": "dishwasher", "droger": "droger", "wasdroger": "droger", "dryer": "dryer",
    "oven": "oven", "magnetron": "magnetron", "microwave": "microwave", "kookplaat": "kookplaat",
    "fornuis": "fornuis", "hob": "hob", "afzuigkap": "afzuigkap", "extractor fan": "extractor fan",
    "stofzuiger": "stofzuiger", "vacuum cleaner": "vacuum cleaner", "televisie": "televisie",
    "tv": "tv", "laptop": "laptop", "tablet": "tablet", "telefoon": "telefoon",
    "smartphone": "smartphone", "oplader": "oplader", "charger": "charger", "bankstel": "bankstel",
    "sofa": "sofa", "bank": "bank", "tafel": "tafel", "table": "table", "stoel": "stoel",
    "chair": "chair", "kast": "kast", "wardrobe": "wardrobe", "bed": "bed", "matras": "matras",
    "mattress": "mattress", "lamp": "lamp", "fiets": "fiets", "bike": "bike", "bicycle": "bicycle",
    "deurbel": "deurbel", "doorbell": "doorbell", "thermostaat": "thermostaat",
    "thermostat": "thermostat", "radiator": "radiator", "douche": "douche", "shower": "shower",
    "toilet": "toilet", "wc": "wc", "waterkoker": "waterkoker", "kettle": "kettle",
    "koffiemachine": "koffiemachine", "coffee machine": "coffee machine", "jas": "jas",
    "jacket": "jacket", "schoenen": "schoenen", "shoes": "shoes", "router": "router",
    "modem": "modem", "airco": "airco", "warmtepomp": "warmtepomp", "heat pump": "heat pump",
}
# Plurals are folded onto the singular so "twee stoelen" and "stoel" count as one product.
_PRODUCT_RE = re.compile(
    r"\b(" + "|".join(re.escape(p) for p in sorted(_PRODUCTS, key=len, reverse=True))
    + r")(?:s|en|'s)?\b"
)

_NAME_TOKEN = r"(?:[A-Z][a-zà-öø-ÿ'\u2019-]+|[A-Z]\.(?:[A-Z]\.)*)"
_TUSSEN = r"(?:van|de|der|den|het|ten|ter|te|in 't|op|uit|von|le|la|da|di|el|al|'t)"
_NAME = rf"{_NAME_TOKEN}(?:\s(?:{_TUSSEN}\s){{0,2}}{_NAME_TOKEN}){{0,3}}"
_NAME_INTRO = re.compile(
    rf"(?:\b[Mm]ijn naam is|\b[Ii]k heet|\b[Mm]y name is|\b[Tt]his is|\b[Nn]aam:|\b[Nn]ame:)"
    rf"\s+(?P<name>{_NAME})"
)
# "Goedemiddag, met Jan de Vries" is how Dutch callers and chatters introduce themselves.
_MET_INTRO = re.compile(
    rf"^(?:[\w ]{{0,20}}[,!]\s*)?[Mm]et\s+(?:(?:mevrouw|meneer|mevr\.|dhr\.)\s+)?(?P<name>{_NAME})"
    rf"\s*(?:[,.!\n]|$)"
)
_SIGN_OFF = re.compile(
    r"^\s*(?:met )?(?:vriendelijke |hartelijke |beste |hoogachtende? )?groet(?:en|jes)?\b"
    r"|^\s*mvg\b|^\s*(?:kind |best |warm |many )?regards\b"
    r"|^\s*(?:thanks|thank you|many thanks|cheers|sincerely|yours sincerely|yours faithfully"
    r"|alvast bedankt|bij voorbaat dank)\b",
    re.I,
)
# Lowercase or digit before the stop, so an initial ("J. de Vries") does not split a name.
_CHAT_SENTENCE_END = re.compile(r"(?<=[a-z0-9][.!?])\s+")
_NAME_LINE = re.compile(rf"^\s*(?P<name>{_NAME})\s*$")
_INLINE_SIGNATURE = re.compile(rf"[,.]\s*(?P<name>{_NAME})\s*$")
_NOT_NAMES = frozenset(
    {"Klantenservice", "Team", "Customer", "Service", "Sent", "Verzonden", "Outlook", "Mvg"}
)


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


def _phone(candidate: str) -> str | None:
    digits = re.sub(r"\D", "", candidate)
    if candidate.startswith("+"):
        ok = digits.startswith("31") and len(digits) == 11
    elif digits.startswith("0031"):
        ok = len(digits) == 13
    elif digits.startswith(("0800", "0900", "0906", "0909")):
        ok = 8 <= len(digits) <= 11
    else:
        ok = digits.startswith("0") and len(digits) == 10
    return candidate.strip() if ok else None


def _names(text: str) -> list[str]:
    found: list[str] = [m.group("name") for m in _NAME_INTRO.finditer(text)]
    met = _MET_INTRO.match(text.strip())
    if met:
        found.append(met.group("name"))
    # A sign-off may close a chat line ("Pakket zoek. Groet, Marieke"): treat each sentence
    # as its own line.
    lines = [
        part
        for ln in text.splitlines()
        for part in _CHAT_SENTENCE_END.split(ln)
        if part.strip()
    ]
    for i, line in enumerate(lines):
        if not _SIGN_OFF.match(line):
            continue
        inline = _INLINE_SIGNATURE.search(line)
        if inline:
            found.append(inline.group("name"))
        elif i + 1 < len(lines) and (m := _NAME_LINE.match(lines[i + 1])):
            found.append(m.group("name"))
    return [n for n in found if n.split()[0] not in _NOT_NAMES]


def _unique(items: list[str]) -> tuple[str, ...]:
    return tuple(dict.fromkeys(items))


def extract_slots(text: str, folded: str, today: date) -> Slots:
    references: dict[str, list[str]] = {kind: [] for kind in _REFERENCES}
    amounts: list[str] = []
    phones: list[str] = []
    # Reference numbers, amounts and phone numbers all contain a digit; most chat messages
    # have none, so one scan for a digit spares five.
    if _DIGIT.search(text):
        for kind, pattern in _REFERENCES.items():
            references[kind] = [m.group("ref") for m in pattern.finditer(text)]
        amounts = [
            a for m in _AMOUNT.finditer(text) if (a := _amount(m.group("a") or m.group("b")))
        ]
        phones = [p for m in _PHONE_CANDIDATE.finditer(text) if (p := _phone(m.group(0)))]
    products = [_PRODUCTS[m.group(1)] for m in _PRODUCT_RE.finditer(folded)]
    return Slots(
        dates=extract_dates(folded, today),
        order_numbers=_unique(references["order"]),
        invoice_numbers=_unique(references["invoice"]),
        customer_numbers=_unique(references["customer"]),
        amounts=_unique(amounts),
        products=_unique(products),
        emails=_unique(_EMAIL.findall(text)) if "@" in text else (),
        phones=_unique(phones),
        names=_unique(_names(text)),
    )
