"""When an extracted slot value counts as the labelled one.

The corpus copies every value verbatim from the text; extractors may return a value in a
normal form (amounts as decimals) or with a word more or less ("om 8 uur" for "8 uur",
"De Vries" for "mevrouw De Vries"). A labelled value is found when an extracted value equals
it after normalising, or one contains the other as whole words: a span that is a word too long
or too short is still the fact a handler needs, while a wrong fact never contains the right one.
"""

from __future__ import annotations

import re
from decimal import Decimal, InvalidOperation

# Corpus slot key -> field of `bot.nlu.Slots` holding the extracted values.
SLOT_FIELDS = {
    "names": "names",
    "addresses": "addresses",
    "postcodes": "postcodes",
    "cities": "cities",
    "customer_numbers": "customer_numbers",
    "order_numbers": "order_numbers",
    "invoice_numbers": "invoice_numbers",
    "amounts": "amounts",
    "dates": "date_mentions",
    "times": "times",
    "phones": "phones",
    "emails": "emails",
    "products": "products",
}
_TITLES = re.compile(
    r"\b(?:mevrouw|mevr|mw|meneer|mijnheer|dhr|de heer|heer|familie|fam|mr|mrs|ms|miss|dr|drs|ir|"
    r"ing|prof|madam|sir)\b\.?",
    re.I,
)
_NUMBER = re.compile(r"\d[\d.,\s]*\d|\d")
_WORDS_ONLY = re.compile(r"[^\w@./+-]+")


def _norm(value: str) -> str:
    return " ".join(_WORDS_ONLY.sub(" ", value.casefold()).split()).strip(" .,-")


def _amount(value: str) -> Decimal | None:
    m = _NUMBER.search(value)
    if m is None:
        return None
    raw = m.group(0).replace(" ", "")
    if "," in raw and "." in raw:
        decimal_sep = "," if raw.rfind(",") > raw.rfind(".") else "."
    elif "," in raw or "." in raw:
        sep = "," if "," in raw else "."
        decimal_sep = sep if len(raw) - raw.rfind(sep) - 1 in (1, 2) else ""
    else:
        decimal_sep = ""
    cleaned = "".join(ch for ch in raw if ch not in {",", "."} - {decimal_sep})
    try:
        return Decimal(cleaned.replace(decimal_sep, ".") if decimal_sep else cleaned)
    except InvalidOperation:
        return None


def _phone_digits(value: str) -> str:
    digits = re.sub(r"\D", "", value)
    for prefix in ("0031", "31"):
        if digits.startswith(prefix) and len(digits) >= 11:
            return "0" + digits[len(prefix) :]
    return digits


def _contains(a: str, b: str) -> bool:
    return bool(a and b) and f" {b} " in f" {a} "


def slot_matches(key: str, gold: str, predicted: str) -> bool:
    if key == "amounts":
        value = _amount(gold)
        return value is not None and value == _amount(predicted)
    if key == "phones":
        return _phone_digits(gold) == _phone_digits(predicted)
    if key == "postcodes":
        return gold.replace(" ", "").upper() == predicted.replace(" ", "").upper()
    if key == "names":
        gold, predicted = _TITLES.sub(" ", gold), _TITLES.sub(" ", predicted)
    g, p = _norm(gold), _norm(predicted)
    if key in ("customer_numbers", "order_numbers", "invoice_numbers", "emails"):
        return g.replace(" ", "") == p.replace(" ", "")
    return g == p or _contains(g, p) or _contains(p, g)
