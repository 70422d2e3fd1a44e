"""Person names as written: with a title ("mevrouw De Vries", "mr. drs. P.H. Verbeek"), as
initials and surname ("J. Jansen"), introduced ("mijn naam is", "met", "this is"), in a
signature after a sign-off ("Groet, Wim Hoekstra", "Best,\\nSarah"), or a first name in running
text next to a role ("monteur Ruud", "the technician, Mark,") or from a list of common first
names ("Sophie was really helpful")."""

from __future__ import annotations

import re
from functools import cache
from importlib import resources

_UPPER = "A-Z\u00c0-\u00de"
# Latin-1 and Latin Extended-A lowercase: "Doğan", "Kowalczyk", "Çelik".
_LOWER = "a-z\u00df-\u00ff\u0100-\u017f"
_WORD = rf"[{_UPPER}][{_LOWER}'\u2019]+(?:-(?:(?:de|van|der|den) )?[{_UPPER}][{_LOWER}'\u2019]+)*"
_INITIALS = rf"(?:[{_UPPER}]\.){{1,4}}(?:[ ]?\([{_UPPER}][{_LOWER}]+\))?"
_TUSSEN = (
    r"(?:van|de|der|den|het|ten|ter|te|in 't|op|uit|von|le|la|da|di|el|al|'t|"
    r"Van|De|Den|Der|El|Al|Ten|Ter)"
)
# A surname, perhaps after tussenvoegsels: "de Vries", "van Leeuwen-Baas", "El Amrani".
_SURNAME = rf"(?:{_TUSSEN} ){{0,2}}{_WORD}"
_FULL = rf"(?:{_INITIALS} ?{_SURNAME}|{_WORD}(?: {_SURNAME}){{0,2}})"
_TITLE = (
    r"(?:mevrouw|mevr\.?|mw\.?|meneer|mijnheer|dhr\.?|de heer|heer|familie|fam\.|Mevrouw|Mevr\.?|"
    r"Mw\.?|Meneer|Mijnheer|Dhr\.?|De heer|Heer|Familie|Fam\.|[Mm]r\.?|[Mm]rs\.?|[Mm]s\.?|[Mm]iss|"
    r"[Dd]r\.?|[Dd]rs\.?|[Ii]r\.?|[Ii]ng\.?|[Pp]rof\.?|[Mm]adam|[Ss]ir)"
)
_TITLED = re.compile(rf"(?<![\w.])(?P<name>{_TITLE}(?: {_TITLE})? (?:{_FULL}|{_SURNAME}))")
_BY_INITIALS = re.compile(rf"(?<![\w.-])(?P<name>{_INITIALS} ?{_SURNAME})")
_INTRO = re.compile(
    rf"(?:\b[Mm]ijn naam is|\b[Ii]k heet|\b[Mm]y name is|\b[Tt]his is|\b[Nn]aam:|\b[Nn]ame:|"
    rf"\b[Mm]elder:|\b[Ii]k ben|\b[Ii]k bent|\b[Ii]'m|\b[Ii] am|(?m:^)Van:|(?m:^)From:|"
    rf"\b[Hh]ier is|\b[Hh]et gaat om mijn (?:moeder|vader),?)"
    rf"[ \t]+(?P<name>{_FULL})"
)
_MET = re.compile(
    rf"^(?:[\w ]{{0,20}}[,!]\s*)?[Mm]et\s+(?P<name>(?:{_TITLE} )?{_FULL})\s*(?:[,.!\n]|$)"
)
_ROLE = re.compile(
    r"\b(?i:monteur|medewerker|medewerkster|collega|adviseur|adviseuse|consulent|consulente|"
    r"woonconsulent|huismeester|beheerder|opzichter|bezorger|chauffeur|loodgieter|elektricien|"
    r"schilder|aannemer|klantadviseur|dame|meneer|mevrouw|huurder|buurman|buurvrouw|zoon|dochter|"
    r"engineer|technician|plumber|electrician|driver|courier|agent|advisor|adviser|colleague|"
    r"caretaker|manager|assistant|rep|representative|contractor|landlord|neighbour|neighbor|"
    r"son|daughter|husband|wife|called|named|genaamd|ene|heet)"
    rf",?[ \t]+(?:\(?ik geloof |\(?I think )?(?P<name>{_WORD}(?: {_SURNAME})?)"
)
_SIGN_OFF = re.compile(
    r"(?:^|(?<=[.!?\n])[ \t]*|(?<=[.!?][ ]))(?:met )?(?:vriendelijke |hartelijke |beste |"
    r"hoogachtende? |vr\.? |vriendelijke)?(?:groet(?:en|jes)?|mvg|m\.v\.g\.?|hoogachtend|"
    r"(?:kind |best |warm |many )?regards|best wishes|thanks(?: again)?|thank you|many thanks|"
    r"cheers|sincerely|yours sincerely|yours faithfully|yours truly|best|thx|"
    r"alvast bedankt|bij voorbaat dank|dank u wel|dank je wel|dankjewel|groetjes)[,.!]?[ \t]*"
    r"(?:\n[ \t]*){0,2}",  # the name may follow a blank line
    re.I,
)
_SIGNED = re.compile(
    rf"(?P<name>(?:{_TITLE} )*{_FULL})(?=[ \t]*(?:[,(\n-]|$|\s\d|\s[a-z0-9._%+-]+@))"
)
# "Nicole van Dam, Zeeweg 80-2": a name opening the closing sentence, contact data after it.
_NAME_THEN_CONTACT = re.compile(rf"(?:^|(?<=[.!?]\s)|(?<=\n))(?P<name>{_FULL}),[ \t]+[^\n]*\d")
_STANDALONE_LAST_LINE = re.compile(rf"^[ \t]*(?P<name>(?:{_TITLE} )*{_FULL})[ \t]*$")
# Capitalised words that open sentences or name things, never people.
_NOT_NAMES = frozenset(
    [
        "Klantenservice",
        "Team",
        "Customer",
        "Service",
        "Sent",
        "Verzonden",
        "Outlook",
        "Mvg",
        "Met",
        "Groet",
        "Groeten",
        "Hallo",
        "Hoi",
        "Beste",
        "Geachte",
        "Dear",
        "Hello",
        "Hi",
        "Thanks",
        "Thank",
        "Regards",
        "Best",
        "Cheers",
        "Het",
        "De",
        "Een",
        "Ik",
        "Wij",
        "We",
        "Mijn",
        "Onze",
        "Dit",
        "Dat",
        "Deze",
        "Die",
        "Er",
        "Maar",
        "En",
        "Of",
        "Graag",
        "Dank",
        "Bedankt",
        "Vandaag",
        "Gisteren",
        "Morgen",
        "The",
        "This",
        "That",
        "My",
        "Our",
        "I",
        "It",
        "And",
        "But",
        "Please",
        "Sorry",
        "Yesterday",
        "Today",
        "Tomorrow",
        "Monday",
        "Tuesday",
        "Wednesday",
        "Thursday",
        "Friday",
        "Saturday",
        "Sunday",
        "Maandag",
        "Dinsdag",
        "Woensdag",
        "Donderdag",
        "Vrijdag",
        "Zaterdag",
        "Zondag",
        "Tel",
        "Email",
        "Mail",
        "Telefoon",
        "Klantnummer",
        "Huurder",
        "Adres",
        "Address",
        "Phone",
        "Mobile",
        "Order",
        "Factuur",
        "Invoice",
        "Ps",
        "Verstuurd",
        "Apt",
        "Flat",
        "Inmiddels",
        "Helaas",
        "Nee",
        "Ja",
        "Yes",
        "No",
        "Ok",
        "Oke",
        "Also",
        "Sent",
        "Sinds",
        "Since",
        "Hoogachtend",
        "Vriendelijke",
        "Kind",
        "Many",
        "Warm",
        "Yours",
        "Sincerely",
        "Faithfully",
        "Alvast",
        "Bij",
        "Voorbaat",
        "Gr",
        "Groetjes",
        "Thx",
        "Ook",
        "Nu",
        "Now",
        "Hier",
        "Here",
        "Goedemiddag",
        "Goedemorgen",
        "Goedenavond",
        "Goeiedag",
        "Goedendag",
        "Goeiemiddag",
        "Goeiemorgen",
        "Goeie",
        "Goeiendag",
        "Awel",
        "Zeg",
        "Zo",
        "Hé",
        "He",
        "Hey",
        "Dag",
        "Dan",
        "Eh",
        "Nou",
        "Ha",
        "Wow",
        "Lovely",
        "Hiya",
        "Oh",
        "Ah",
        "Tja",
        "Jeetje",
        "I've",
        "Complex",
        "Building",
        "Seniorencomplex",
        "Flat",
        "Blok",
        "Unit",
        "Apt",
        "Portiek",
        "Wooncomplex",
        "Residentie",
        "Locatie",
        "Location",
        "Straat",
        "Street",
        "Waarom",
        "Why",
        "Wanneer",
        "When",
        "Wat",
        "What",
        "Hoe",
        "How",
        "Kunt",
        "Kunnen",
        "Can",
        "Could",
        "Is",
        "Zijn",
        "Are",
        "Was",
        "Waren",
        "Heeft",
        "Hebben",
        "Has",
        "Have",
        "Help",
        "Hulp",
        "Snel",
        "Spoed",
        "Urgent",
        "Dringend",
        "Nogmaals",
        "Again",
        "Amsterdam",
        "Rotterdam",
        "Utrecht",
    ]
)


@cache
def first_names() -> frozenset[str]:
    path = resources.files("bot.nlu").joinpath("data/first_names.txt")
    with path.open(encoding="utf-8") as fh:
        return frozenset(line.strip() for line in fh if line.strip() and not line.startswith("#"))


_STREET_NAME = re.compile(
    r"(?:straat|laan|weg|plein|kade|gracht|singel|dreef|hof|pad|steeg|dijk|park)$", re.I
)
_CAPITALISED = re.compile(rf"(?<![\w.@])(?P<name>{_WORD}(?: {_SURNAME})?)")


def _plausible(name: str) -> bool:
    first = name.split()[0].rstrip(".,")
    if first in _NOT_NAMES or name.isupper():
        return False
    # "Jan van Galenstraat", "Hugo de Grootstraat": a street named after a person.
    return _STREET_NAME.search(name) is None


def _trim(name: str) -> str:
    """Drop capitalised non-name words a pattern swept up at the end ("Linda Hermans Tel")."""
    words = name.split()
    while len(words) > 1 and words[-1].rstrip(".,") in _NOT_NAMES:
        words.pop()
    return " ".join(words).rstrip(",.")


def extract_names(text: str) -> list[str]:
    found: list[tuple[int, int, str]] = []

    def add(start: int, name: str) -> None:
        name = _trim(name)
        end = start + len(name)
        if not _plausible(name):
            return
        for i, (s, e, _) in enumerate(found):
            if s <= start and end <= e:
                return  # already inside a longer find
            if start <= s and e <= end:
                found[i] = (start, end, name)
                return
        found.append((start, end, name))

    for pattern in (_TITLED, _BY_INITIALS, _INTRO, _ROLE):
        for m in pattern.finditer(text):
            add(m.start("name"), m.group("name"))
    for m in _NAME_THEN_CONTACT.finditer(text):
        # Any capitalised word opens a sentence: only a known first name or two names count.
        name = m.group("name")
        if name.split()[0] in first_names() or len(name.split()) > 1:
            add(m.start("name"), name)
    if (met := _MET.match(text)) is not None:
        add(met.start("name"), met.group("name"))
    for m in _SIGN_OFF.finditer(text):
        signed = _SIGNED.match(text, m.end())
        if signed:
            add(signed.start("name"), signed.group("name"))
    lines = text.rstrip().splitlines()
    if len(lines) > 1 and (last := _STANDALONE_LAST_LINE.match(lines[-1])):
        offset = len(text.rstrip()) - len(lines[-1])
        if last.group("name").split()[0] in first_names() or len(last.group("name").split()) > 1:
            add(offset + last.start("name"), last.group("name"))
    names = first_names()
    for m in _CAPITALISED.finditer(text):
        first = m.group("name").split()[0]
        if first in names:
            # Only the first name and a capitalised surname: "Sophie was" stays "Sophie".
            add(m.start("name"), m.group("name"))
    return [name for _, _, name in sorted(found)]
