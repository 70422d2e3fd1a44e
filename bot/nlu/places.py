"""Where it happened: street + number (+ addition), postcode, city.

A street is recognised by its last part (Kerkstraat, Lindelaan, Oude Gracht, Laan van
Meerdervoort) or by a cue before it ("ik woon aan", "adres:"); a city by following a postcode,
by "te"/"in" before a known place name, or by standing after a street at the end of a line.
"""

from __future__ import annotations

import re
from functools import cache
from importlib import resources

# Endings that name a street by themselves ("Kerkstraat", "Lindelaan"), and endings that also
# end surnames and words ("Van den Berg", "Bakker", "antwoord"): those need a house number.
_STREET_ENDS = (
    "straat|straatweg|laan|weg|plein|kade|gracht|singel|dreef|pad|steeg|dijk|allee|boulevard|"
    "laantje|straatje|pleintje"
)
_WEAK_ENDS = (
    "hof|park|erf|markt|ring|baan|wal|dam|lei|hoven|haven|veld|burg|oord|donk|horst|berg|hoek|"
    "zijde|poort|brug|kanaal|plantsoen|gaarde|tuin|akker|veste|wijk|rade|hout|kamp|stede|vaart|"
    "wetering|gang|hage|hove|zoom|zicht|meent|brink|weide|kwartier"
)
_WEAK = re.compile(rf"(?:{_WEAK_ENDS})$")
_CAP = r"[A-Z\u00c0-\u00de][\w\u00e0-\u00ff'\u2019.-]*"
# Lowercase words inside a street name: "Laan van Meerdervoort", "Van der Helstplein".
_JOIN = r"(?:van|der|den|de|het|ten|ter|te|op|aan|in|'t|'s|la|le|du|des|st\.)"
_NUMBER = (
    r"\d{1,5}(?:[ ]?-[ ]?\d{1,3}(?!\d)|-(?:I{1,3}|IV|[A-Z]{1,3})\b|-?[A-Za-z]\b|"
    r"[ ](?:[A-Z]|hs|bis|huis|boven|beneden|I{1,3}|"
    r"bus \d+)\b|bis\b|[a-z]{1,2}\b)?(?: t/m \d{1,5})?"
)
_NAMED_STREET = (
    rf"(?:{_CAP}[ ](?:(?:{_CAP}|{_JOIN})[ ]){{0,2}})?[A-Z\u00c0-\u00de][\w\u00e0-\u00ff'-]*"
    rf"(?:{_STREET_ENDS}|{_WEAK_ENDS})\b"
    rf"|(?:Laan|Plein|Kade|Singel|Dreef|Weg|Hof) (?:{_JOIN} ){{1,2}}{_CAP}"
    rf"|(?:Oude|Nieuwe|Lange|Korte|Hoge|Lage|Achter|Voor|Binnen|Buiten) {_CAP}"
)
_STREET = re.compile(
    rf"(?<![\w-])(?P<street>{_NAMED_STREET})(?:[ ,]*(?P<number>(?<![\w])(?:{_NUMBER})))?"
)
_CUED = re.compile(
    r"(?i:\b(?:ik woon|wij wonen|we wonen|woonachtig|wonend|mijn adres is|ons adres is|adres|"
    r"address|i live|we live|locatie|location|op het adres)\b[:]?(?: (?:op|aan|in|at|on|is))?"
    r"(?: (?:de|het|nummer))? )"
    rf"(?P<street>{_CAP}(?: {_CAP}){{0,2}})[ ](?P<number>{_NUMBER})"
)
# English-style: number before the street ("14 Rose Lane").
# A street of any name right before a postcode or a known place: "Hoefslag 3, 3981 KE Bunnik",
# "Akkerwinde 19 Zwolle".
_BEFORE_PLACE = re.compile(
    rf"(?<![\w-])(?P<street>{_CAP}(?: {_CAP}){{0,2}}) (?P<number>{_NUMBER})(?=[ ,]+(?P<next>"
    rf"[1-9]\d{{3}} ?[A-Z]{{2}}\b|{_CAP}))"
)
# Words that open a location but are no part of the street name.
_LEADING = re.compile(
    r"^(?:Adres|Address|Portiek|Flat|Galerij|Blok|Complex|Kruising|Hoek|Ingang|Gebouw) "
)
_EN_STREET = re.compile(
    rf"\b(?P<address>\d{{1,4}}[a-zA-Z]? (?:{_CAP} ){{0,2}}(?:Street|Road|Lane|Avenue|Drive|"
    r"Close|Way|Court|Place|Crescent|Square|Gardens|Terrace|Grove|Row|Hill|Walk|Mews))\b"
)
_BUILDING = re.compile(
    rf"\b(?P<address>(?:Flat|Wooncomplex|Complex|Seniorencomplex|Gebouw|Woongebouw|Portiek|"
    rf"Residentie) (?:De |Het |'t )?{_CAP})"
)
_POSTCODE = re.compile(
    r"\b(?P<postcode>[1-9]\d{3}(?: ?(?!SA|SD|SS)[A-Z]{2}|(?!SA|SD|SS)[a-z]{2})\b)"
)
# A Belgian postcode has only digits: only with a known city after it.
_BE_POSTCODE = re.compile(rf"\b(?P<postcode>[1-9]\d{{3}}) (?P<city>{_CAP})")
_AFTER_POSTCODE = re.compile(rf"[ ,]*(?P<city>{_CAP}(?:[ -](?:{_CAP}|aan|a/d|op|den|de|Zee))*)")
_CITY_CUE = re.compile(
    rf"\b(?:te|in|uit|at|from|gemeente|municipality of) (?P<city>{_CAP}(?: {_CAP})?)"
)
# Capitalised words before a number that are no street: "Flat 12", "Blok 4", "Bus 3".
_NOT_A_STREET = frozenset(
    [
        "Flat",
        "Blok",
        "Bus",
        "Apt",
        "Apartment",
        "Appartement",
        "Nummer",
        "Huisnummer",
        "Kamer",
        "Room",
        "Unit",
        "Verdieping",
        "Floor",
        "Zaak",
        "Order",
        "Factuur",
        "Invoice",
        "Klantnummer",
        "Tel",
        "Mobiel",
        "Postbus",
        "Bouwnummer",
        "Dag",
        "Week",
        "Maand",
        "Jaar",
        "Ik",
        "Wij",
        "We",
        "Het",
        "De",
        "Een",
        "Dit",
        "Dat",
        "Er",
        "En",
        "Om",
        "Op",
        "In",
        "Van",
        "Na",
        "Voor",
        "Sinds",
        "Al",
        "Ongeveer",
        "Rond",
    ]
)
_NOT_AN_ADDRESS = frozenset({"Hof", "Park", "Veld", "Markt", "Weg", "Laan", "Straat", "Plein"})


@cache
def known_cities() -> frozenset[str]:
    path = resources.files("bot.nlu").joinpath("data/cities.txt")
    with path.open(encoding="utf-8") as fh:
        return frozenset(line.strip() for line in fh if line.strip() and not line.startswith("#"))


def _city_words(candidate: str) -> str | None:
    """The longest start of `candidate` that is a known place ("Den Haag Centrum": "Den Haag")."""
    words = candidate.split()
    cities = known_cities()
    for n in range(len(words), 0, -1):
        name = " ".join(words[:n]).rstrip(".,")
        if name in cities:
            return name
    return None


def extract_places(text: str) -> tuple[list[str], list[str], list[str]]:
    """(addresses, postcodes, cities), each in order of appearance."""
    addresses: list[tuple[int, str]] = []
    covered: list[tuple[int, int]] = []

    def add(start: int, end: int, value: str) -> None:
        if any(s < end and start < e for s, e in covered):
            return
        covered.append((start, end))
        addresses.append((start, value))

    for m in _CUED.finditer(text):
        value = f"{m.group('street')} {m.group('number')}".rstrip()
        add(m.start("street"), m.end(), value)
    for m in _STREET.finditer(text):
        street = m.group("street")
        if street.split()[-1] in known_cities() or street.split()[0].isupper():
            continue
        if _WEAK.search(street) and not m.group("number"):
            continue
        if street in _NOT_AN_ADDRESS:
            continue
        end = m.end("number") if m.group("number") else m.end("street")
        start = m.start("street")
        if (lead := _LEADING.match(street)) is not None:
            start += lead.end()
        add(start, end, text[start:end].rstrip(" ,"))

    for m in _BUILDING.finditer(text):
        add(m.start("address"), m.end("address"), m.group("address"))
    for m in _BEFORE_PLACE.finditer(text):
        following = m.group("next")
        place = following[0].isdigit() or _city_words(text[m.start("next") :].split(",")[0])
        if place and m.group("street").split()[0] not in _NOT_A_STREET:
            start = m.start("street")
            if (lead := _LEADING.match(m.group("street"))) is not None:
                start += lead.end()
            add(start, m.end("number"), text[start : m.end("number")])
    for m in _EN_STREET.finditer(text):
        add(m.start("address"), m.end("address"), m.group("address"))
    postcodes: list[tuple[int, str]] = []
    cities: list[tuple[int, str]] = []
    for m in _POSTCODE.finditer(text):
        postcodes.append((m.start(), m.group("postcode")))
        after = _AFTER_POSTCODE.match(text, m.end())
        if after:
            city = _city_words(after.group("city")) or after.group("city").split()[0].rstrip(".,")
            cities.append((after.start("city"), city))
    for m in _BE_POSTCODE.finditer(text):
        city = _city_words(m.group("city"))
        if city and all(p != m.start() for p, _ in postcodes):
            postcodes.append((m.start(), m.group("postcode")))
            cities.append((m.start("city"), city))
    for m in _CITY_CUE.finditer(text):
        city = _city_words(m.group("city"))
        if city:
            cities.append((m.start("city"), city))
    # "Heuvelstraat 2 Tilburg", "Reigerlaan 4, Oss.": a known place right after a street.
    for start, _ in addresses:
        end = next(e for s, e in covered if s == start)
        tail = re.match(rf"[ ,]+(?P<city>{_CAP}(?: {_CAP})?)", text[end:])
        if tail and (city := _city_words(tail.group("city"))):
            cities.append((end + tail.start("city"), city))
    return _ordered(addresses), _ordered(postcodes), _ordered(cities)


def _ordered(found: list[tuple[int, str]]) -> list[str]:
    return list(dict.fromkeys(value for _, value in sorted(found)))
