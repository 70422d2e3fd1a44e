"""Reference numbers a handler looks up: customer/tenant, order (also track & trace) and
invoice (also an assessment number, "nr."/"Nummer" after the word invoice) numbers.

A number counts only after a word that says what it is: a bare number in a message is as
often a house number, an amount or a date. "Nummer: 4400-1192" on a line of its own takes its
kind from the nearest such word before it ("Het gaat om de factuur van maart. Nummer: ...").
Two exceptions need no word: a prefix that names an invoice ("INV-2024-0012"), and a number
shaped like a reference ("F-2024-00123", "2025-00912") after an invoice word further back. A
bank account, an amount, a phone number or a day is never a reference.
"""

from __future__ import annotations

import re
from collections.abc import Callable
from typing import Literal

Reference = Literal["customer", "order", "invoice"]

# "nummer" glued to the word it belongs to, as people type it: "klantnummer", "klantnr",
# "klantnumer", "reserveringsnummer".
_NR = r"(?:s?(?:nummer|numer|nr|nmr))"
_CUES: tuple[tuple[Reference, str], ...] = (
    (
        "customer",
        rf"klant(?:en)?{_NR}|klant|kl\.?[ ]?nr|knr|huurder{_NR}?|huur{_NR}|relatie{_NR}?|"
        rf"debiteur(?:en)?{_NR}?|\w*contract{_NR}?|abonnee{_NR}?|\w*abonnement{_NR}?|zaak{_NR}?|"
        rf"case|\w*melding{_NR}?|meldingen|lid(?:maatschap)?{_NR}?|lid|pasje|pas{_NR}|\w*polis{_NR}?|"
        rf"\w*dossier{_NR}?|aansluit{_NR}|ean(?:-code| code)?(?=[^\d\n]{{0,12}}\d{{18}}(?!\d))|"
        rf"(?<!parking )ticket{_NR}?|pati[eë]nt(?:en)?{_NR}|leerling(?:en)?{_NR}|student{_NR}|"
        rf"declaratie{_NR}|subject{_NR}|verzekerde?n?{_NR}|storings?ticket|"
        rf"bezwaar(?:schrift)?(?:{_NR})?|"
        rf"klacht{_NR}?|aanvraag{_NR}?|claim{_NR}?|schade{_NR}|\w*kaart{_NR}|huurovereenkomst|"
        rf"inschrijf{_NR}|inschrijving{_NR}?|storing{_NR}|tickets|complaint|"
        r"(?:klanten|lid|pas|bibliotheek|spaar)kaart|"
        rf"account{_NR}?|"
        r"customer|tenant|tenancy|membership|member id|client|subscriber|subscription|incident|"
        r"policy|(?:library |loyalty |member(?:ship)? )?card|"
        r"(?:relation|application|file|report|registration|patient|hospital|pupil|student|request|"
        r"family|member)"
        r"(?=\W{1,3}(?:number|no|nr|id)\b)",
    ),
    (
        "order",
        rf"(?:huur|werk|inkoop|service|montage|reparatie)?orders?{_NR}?|inkoop{_NR}|ord{_NR}|"
        rf"oder{_NR}|bezorg{_NR}|bezorgbon|delivery (?:ticket|note|number)|res\.?[ ]?nr|"
        rf"ophaal{_NR}|best\.?[ ]?nr|"
        rf"verhuur{_NR}|rental(?: agreement| contract)?|"
        r"besteld|ordered|repair ticket|reparatieticket|"
        rf"o\.?[ ]?nr|bestel{_NR}|"
        rf"bestelling(?:en|{_NR})?|bestelbon|zending{_NR}?|t\s?&\s?t|track\s?(?:&|en|and)\s?trace(?:\s?code)?|"
        r"track(?:ing)?(?:\s?(?:code|number))?|trackingnummer|barcode|pakket(?:je|nummer)?|"
        rf"retour(?:{_NR}|label|zending)?|rma|returns?|parcel|shipment|awb|orderbevestiging|"
        rf"bestelbevestiging|reparatie{_NR}?|\w*opdracht{_NR}?|boeking{_NR}?|"
        rf"reserv(?:ering|atie){_NR}?|reservation(?: number)?|werkbon{_NR}?|(?:kassa)?bon{_NR}|"
        r"job(?: ref| reference| number)?|booking(?: reference| number)?|repair(?: number)?|"
        rf"\w*afspraak(?:{_NR}|code)?|appointments?|bevestiging(?:{_NR}|scode)|opdrachtbevestiging|"
        r"boekingscode|"
        rf"booking code|herstel(?:ling)?{_NR}|herstelling|interventie|aankoopbewijs|kassabon|"
        r"bonnetje|"
        rf"transactie{_NR}|receipt|(?:pak|leverings|ontvangst|aankoop|opdracht|werk)?bon{_NR}?|"
        r"ontvangstbewijs|"
        rf"aankoop{_NR}|purchase(?: number)?",
    ),
    (
        "invoice",
        rf"\w*factuur(?:{_NR}s?)?|\w*facturen|(?:fact|fac|fct|inv)nrs?|"
        r"(?:fact|fac|fct|inv)(?=\.|[ \t]*(?:#|nr\b|no\b|n[°º]))|inv(?=[ \t]+\d)|"
        r"\w*nota(?:nummer|nr)?|\w*afrekening|invoices?|bills?|credit note|payment demand|"
        r"rekening(?=[ \t]*\(?[ \t]*(?:nr|nummer|no)\b)|"
        r"aanslag(?:nummer|nr|biljet)?|beschikking(?:s?nummer)?|naheffing\w*|retributie\w*|fnr|"
        r"aanmaningen|"
        r"pcn|penalty charge(?: notice)?|"
        r"offerte(?:nummer|nr)?|quote|beta(?:al|lings?)kenmerk|betalingsreferentie|"
        r"payment reference|(?:energie|eind|slot|termijn|telefoon|water|gas|stroom|huur)rekening|"
        rf"(?:betaal)?herinnering{_NR}?|aanmaning{_NR}?|\w*boete{_NR}?|cjib(?:-?{_NR})?|vordering{_NR}?|"
        r"dunning(?: letter)?|(?:annual|final|year[- ]end) statement|prijsopgave|"
        r"(?:statement|fine|settlement)(?=\W{1,3}(?:number|no|nr|id)\b)|statement(?= [A-Z]{1,4}\d)|"
        r"(?:payment )?reminder|(?:tax )?assessment(?: number)?",
    ),
)
# Words for a reference of any kind: "kenmerk 2026/118", "reference R-55102". Right after a word
# that names a kind they are part of it ("order ref: WS-99812", "invoice ref. INV/118"); on
# their own they belong to the nearest paper named before them: a demand for payment makes them
# an invoice number ("de boete van € 140 (kenmerk BO-22910)"), an order, delivery or booking an
# order number ("mijn bestelling (ref 7HJ-22K-91)"), anything else the customer's reference
# (a case, request or letter: "bezwaar ingediend via het formulier, kenmerk ...").
_GENERIC = r"kenmerk|kenm|reference(?: number)?|referentie(?:nummer|nr)?|referte|ref"
_PAPER = re.compile(
    r"\b(?:(?P<demand>\w*(?:boete|bekeuring|factuur|facturen|rekening|nota|afrekening|aanslag|"
    r"herinnering|aanmaning|parkeerbon|vordering|offerte|inning)|naheffing\w*|fine[sd]?|penalty|"
    r"(?:parking )?ticket|bills?|invoices?|reminder letter|reminders?|assessment|dunning letter|"
    r"quote|offer|retributie|prijsopgave|(?:payment )?demand|statement|settlement|acceptgiro)|"
    r"(?P<order>bestelling\w*|orders?|levering|zending|pakket\w*|reservering|booking|reservation)|"
    r"\w*(?:aanvraag|verzoek|bezwaar|melding|klacht|formulier|brief|zaak|dossier)|"
    r"objection|request|application|complaint|letter|case|form|claim)\b",
    re.I,
)
# What may stand between the word and the number: "nummer", "nr.", "no", "#", ":", "is".
_BETWEEN = (
    r"(?:[ \t]*(?:-|\.|\bnummer\b|\bnr\b\.?|\bnmr\b\.?|\bnos?\b\.?|\bn[°º]|\bnumber\b|\bnbr\b\.?|"
    r"\bnum\b|\bid\b|\bcode\b|"
    # "of" only in lower case: "offertenr. OF-30127" is a number with its letters.
    r"\b(?:van|op|of) (?:uw|jullie|de|your|the) (?:brief|letter)\b|"
    r"\bis\b|\bwas\b|\bmet\b|\bwith\b|\bvan\b|(?-i:\bof\b)|\bhet\b|\bthe\b|\bmijn\b|\bmy\b|#|:|\(|=|"
    rf"\b(?:{_GENERIC})\b(?![/-]))){{0,4}}"
)
# A reference holds a digit; letters, dashes, slashes and dots join its parts; groups of digits
# may be spaced ("7712 0045 9910", "77 12 450", "2024 - 0012"), also after a capital prefix
# ("WEB 123456"); a group that is an amount ("4471 - 120 euro"), a count, a day ("88123 12
# maart"), a time or a phone number ("88123 0612345678") is not.
_MONTHS = r"jan|feb|maa?rt|mar|apr|mei|may|jun|jul|aug|sep|okt|oct|nov|dec"
_NOT_A_GROUP = (
    r"(?![.,:]\d)(?![ \t]*(?:euro|eur\b|dagen|days|weken|weeks|maanden|months|procent|%|stuks|"
    rf"personen|people|items|keer|times|jaar|years?|uur|hours?|{_MONTHS}))"
)
_REF = (
    r"(?P<ref>(?=[A-Za-z0-9./ -]*\d)(?:(?-i:[A-Z]{1,5}) (?=\d{3,}(?![-/.\w])))?"
    r"(?:[A-Za-z]{1,5}[-/](?=[A-Za-z]))?[A-Za-z]{0,5}[-/]?\d"
    rf"[A-Za-z0-9]*(?:[-/.][A-Za-z0-9]+)*(?:[ ](?!0\d{{9}}\b)\d{{3,}}{_NOT_A_GROUP}|"
    rf"[ ]\d\d(?![\d-]){_NOT_A_GROUP}|[ ]?[-\u2013/][ ]?\d{{4,}}{_NOT_A_GROUP})*)"
)
# Before the reference: the end of a line ("Factuurnummer:\n2026-0412") and a quote mark.
_BEFORE_REF = r"[ \t]*(?:\n[ \t]*)?['\"\u2018\u201c]?"
_PATTERNS: tuple[tuple[Reference | None, re.Pattern[str]], ...] = tuple(
    (kind, re.compile(rf"\b(?:{words})\b{_BETWEEN}{_BEFORE_REF}{_REF}", re.I))
    for kind, words in (*_CUES, (None, _GENERIC))
)
_ANY_CUE = re.compile("|".join(rf"\b(?:{words})\b" for _, words in _CUES), re.I)
_KIND_OF = tuple((kind, re.compile(rf"^(?:{words})$", re.I)) for kind, words in _CUES)
# "Nummer: 4400-1192", "nr. 88124", also "en nr. 88124" after a first reference.
_BARE = re.compile(
    rf"\b(?:nummer|nr\.?|no\.?|n[°º]|number|#)(?:[ \t]*(?:is|was|luidt)\b)?[ \t]*:?[ \t]*#?{_REF}",
    re.I,
)
# A prefix that says "invoice" by itself: "INV-2024-0012", "INV20240012", "FACT 2026118".
_NAMED_INVOICE = re.compile(
    r"(?<![-/])\b(?P<ref>(?:(?-i:INV|FACT|FAC|FCT)[ ]?|(?i:inv|fact)-)\d[A-Za-z0-9]*"
    r"(?:[-/.][A-Za-z0-9]+)*)"
)
# A number shaped like a reference ("F-2024-00123", "2025-00912") with no word in front is an
# invoice number when the nearest cue before it names an invoice ("de factuur klopt niet, zie
# F-2024-00123"); other kinds still need their own word.
_SHAPED = re.compile(
    r"(?<![\w/.-])(?P<ref>(?-i:[A-Z]{1,4})-?\d{4,}(?:[-/]\d+)*|(?:19|20)\d\d[-/]\d{3,})(?![\w/-])"
)
# Parcel codes carriers print, known by their shape: PostNL "3SABCD1234567", DHL "JVGL..." and
# twenty digits, UPS "1Z...", and the international post "LX123456789NL".
_TRACKING = re.compile(
    r"(?<![\w-])(?P<ref>3S[A-Z]{2,5}\d{6,}|JVGL\d{8,}|1Z[0-9A-Z]{16}|[A-Z]{2}\d{9}[A-Z]{2}|"
    r"00\d{18})(?![\w-])"
)
# An energy connection's EAN code, known by its shape: eighteen digits, Dutch or Belgian.
_CONNECTION_EAN = re.compile(r"(?<![\w-])(?P<ref>(?:871|541)\d{15})(?![\w-])")
# The number said before the word: "4411229 is mijn klantnummer", "445120 that's my ticket".
_NUMBER_FIRST = re.compile(
    rf"(?<![\w/.-]){_REF}[ \t]*,?[ \t]+(?:is|was|=|that'?s|dat is)[ \t]+(?:\w+[ \t]+){{0,4}}?"
    rf"(?P<cue>{'|'.join(words for _, words in _CUES)})\b",
    re.I,
)
# The number given after a pause or a question: "Mijn klantnummer? Dat is 556677", "my account
# number is ... wait, it's 00 4412 8812", "contractnummer staat op de brief: CT 0045 1128".
_ANSWERED = re.compile(
    r"\b(?:\w*(?:nummer|numer|nr|number)|ticket|payment reference|"
    r"(?P<generic>kenmerk|reference|referentie)|werkorder|account)\b"
    r"(?:[^\n]{0,40}?|[^\n.?!]{0,60}?)\b(?:is|was|it'?s|luidt|staat op de brief|"
    r"staat (?:er )?(?:ook )?op)\b"
    r"[^\n\d€$£]{0,30}?(?<![\w+])"
    rf"{_REF}",
    re.I,
)
_DIGIT = re.compile(r"\d")
# A number with four digits or more a few words after its word, in the same sentence: "mijn
# abonnement (VF1129384720)", "a ticket bij de helpdesk ... #448812", "de offerte voor de
# kozijnen (2024-O-0381)". Its kind is the nearest word's.
_LOOSE = re.compile(rf"(?<![\w/.:+€$£-])#?{_REF}")
_SENTENCE_END = re.compile(r"[.!?](?:\s|$)|\n")
_NEAR_WORD = 60
# Not a reference there either: an amount ("€ 412.000"), the rest of a phone number after its
# country code ("+31 6 12345678") or of a bank account ("NL91 ABNA 0417 1643 00"), a product's
# model by its shape ("Bosch WAT28400NL", "LG 27GP850-B"), a date written year first
# ("2026-03-12"), a range of days ("12-15 augustus"), a size ("60x60"). (A number named as a
# flight, plate or serial number is none of ours in every pass: `_NOT_OURS_BEFORE`.)
_THOUSANDS = re.compile(r"^\d{1,3}(?:[.,]\d{3})+$")
_BEFORE_LOOSE = re.compile(r"(?:€|\$|£|\beur|\beuro|(?:\+|00)\d{1,3}|\b[A-Z]{2}\d\d)[ -]?$", re.I)
_ISO_DAY = re.compile(r"^(?:19|20)\d\d[-/.](?:0?[1-9]|1[0-2])[-/.](?:0?[1-9]|[12]\d|3[01])$")
_MODEL = re.compile(r"^[A-Z]{2,}-?\d+[A-Z]+\d*[A-Z]*$|^\d{1,3}[A-Z]{2,}\d+|^\d+x\d+$")
_MONTH_AFTER = re.compile(rf"[ \t]*(?:{_MONTHS})", re.I)
# Units after a number mean it is no reference ("contract van 12 maanden").
_NOT_A_REFERENCE = re.compile(
    r"^(?:\d{1,3}(?: (?:dagen|weken|maanden|jaar|days|weeks|months|years|euro|eur|procent))?)$"
)
_UNIT_AFTER = re.compile(
    r"[ \t]*(?:dagen|dag|weken|week|maanden|maand|jaar|jaren|days?|weeks?|months?|years?|euro|"
    r"eur\b|procent|%|uur|hours?|minuten|minutes|keer|times|x\b|kwh\b|m3\b|m³)",
    re.I,
)
# "factuur 20011 en 20012", "nr. 88123 en nr. 88124": one word, several numbers.
_MORE = re.compile(
    rf"[ \t]*(?:,|\ben\b|\band\b|&|\bof\b|\bor\b)[ \t]*(?:(?:nr|no)\.?[ \t]*)?#?{_REF}", re.I
)
# Words that give a bare "nr. ..." its kind but are too common to start a reference themselves.
_CONTEXT: tuple[tuple[Reference, re.Pattern[str]], ...] = (
    ("invoice", re.compile(r"\b(?:rekening|bon|aanslag|fine|bill)\b", re.I)),
)
# After a first reference, ", 0492-522910" or ", 5611 EM" is a phone number or a postcode.
_PHONE_OR_POSTCODE = re.compile(r"(?:\+|0)[\d -]{8,}\d|\d{4}[ ]?[A-Z]{2}\b")
# "afrekening 1460,12" is an amount.
_DECIMALS_AFTER = re.compile(r",\d{1,2}(?!\d)")
# "bill of 45.00" is an amount; "NL91 ABNA 0417 1643 00" and "BE68 5390 0754 7034" bank
# accounts ("RF18 5390 0754 7034", of the same shape, a payment reference); "06-12345678" a phone
# (an international one has 11 to 15 digits after "00": "00873412" is a membership number).
_AMOUNT = re.compile(r"^\d{1,5}[.,]\d{2}$")
_VAT = re.compile(r"^(?:NL\d{9}B\d{2}|BE0?\d{9})$", re.I)
_IBAN = re.compile(r"^(?!RF)[A-Z]{2}\d{2}(?:[ ]?[A-Z]{4}|(?:[ ]?[A-Z0-9]{4}){3,}|$)", re.I)
_PHONE = re.compile(r"^\+\d|^00[1-9](?=(?:[ -]?\d){8,12}$)|^0[1-9](?=(?:[ -]?\d){8}$)")
# Numbers that are none of ours to look up, named right before them: a citizen's, a company's
# or a tax number ("Mijn BSN is 183920446"), a flight, a plate, a product's model, serial, part,
# article or ISBN number, a meter's or a SIM card's.
_NOT_OURS = (
    r"bsn|burgerservicenummer|rijksregisternummer|sofi-?nummer|btw|vat|kvk|vlucht|flight|"
    r"kenteken|plate|model|type|serie\w*|serial(?: number)?|isbn|part(?: number)?|onderdeel\w*|"
    r"artikel\w*|art\.?[ ]?nr|meter\w*|sim\w*|imei|iccid"
)
_NOT_OURS_BEFORE = re.compile(
    rf"\b(?:{_NOT_OURS})\b"
    r"(?:[ \t:#(.?-]|\b(?:is|was|nr|no|nummer|number|met|with|dat|dit|that|it'?s)\b){0,8}$",
    re.I,
)
# The word a number given after a pause belongs to ("simnummer op de mail is ...").
_NOT_OURS_WORD = re.compile(rf"(?:{_NOT_OURS})\b", re.I)
# A product's barcode ("EAN 8718699673123", "barcode on the box ..."): thirteen digits.
_BARCODE = re.compile(r"^\d{13}$")
_BARCODE_BEFORE = re.compile(r"\b(?:ean(?:-?code)?|barcode|streepjescode)\b[^\n\d]{0,15}$", re.I)
# "2315 JX": a postcode, not a reference.
_POSTCODE_DIGITS = re.compile(r"^[1-9]\d{3}$")
_POSTCODE_LETTERS = re.compile(r"[ ]?(?-i:[A-Z]{2})\b")
# "14-16 June": days, not a reference.
_DAY_RANGE = re.compile(r"^\d{1,2}[-\u2013]\d{1,2}$")
# "aanmaning van 12-03-2026" names a day, not a reference.
_DAY = re.compile(r"^(?:0?[1-9]|[12]\d|3[01])[-/.](?:0?[1-9]|1[0-2])(?:[-/.](?:\d\d|\d{4}))?$")
_YEAR = re.compile(r"^(?:19|20)\d\d$")
_LOOK_BACK = 120


def _kind_of(word: str) -> Reference | None:
    for kind, pattern in _KIND_OF:
        if pattern.match(word):
            return kind
    return None


def _clean(ref: str) -> str:
    return ref.rstrip(".-/")


def _kind_before(text: str, at: int) -> Reference | None:
    """The kind named by the nearest cue, else by a context word, before `at`."""
    window_start = max(0, at - _LOOK_BACK)
    cues = list(_ANY_CUE.finditer(text, window_start, at))
    if cues:
        return _kind_of(cues[-1].group(0))
    window = text[window_start:at]
    return next((k for k, pattern in _CONTEXT if pattern.search(window)), None)


def _kind_in_sentence(text: str, at: int) -> Reference | None:
    """The kind named by the nearest cue before `at` in the same sentence, a few words back."""
    start = max(0, at - _NEAR_WORD)
    ends = list(_SENTENCE_END.finditer(text, start, at))
    if ends:
        start = ends[-1].end()
    cues = list(_ANY_CUE.finditer(text, start, at))
    return _kind_of(cues[-1].group(0)) if cues else None


def _generic_kind(text: str, at: int, found: dict[Reference, list[tuple[int, str]]]) -> Reference:
    """Whose reference a bare "kenmerk"/"reference" at `at` is: see `_PAPER`. A paper whose
    number was already given ("Factuur 2026-118, referentie 7781-22") is not what it names."""
    papers = list(_PAPER.finditer(text, max(0, at - _LOOK_BACK), at))
    if not papers:
        return "customer"
    paper = papers[-1]
    kind: Reference = (
        "invoice" if paper.group("demand") else "order" if paper.group("order") else "customer"
    )
    numbered = any(paper.end() <= start < at for start, _ in found[kind])
    return "customer" if numbered else kind


def _is_reference(text: str, m: re.Match[str], ref: str) -> bool:
    start, end = m.span("ref")
    return not (
        len(ref) < 3
        or _NOT_OURS_BEFORE.search(text, max(0, start - 40), start)
        or _UNIT_AFTER.match(text, end)
        or _DECIMALS_AFTER.match(text, end)
        or _NOT_A_REFERENCE.match(ref)
        or _YEAR.match(ref)
        or _DAY.match(ref)
        or _AMOUNT.match(ref)
        or _IBAN.match(ref)
        or _VAT.match(ref)
        or _PHONE.match(ref)
        or bool(_BARCODE.match(ref) and _BARCODE_BEFORE.search(text, max(0, start - 40), start))
        or bool(_DAY_RANGE.match(ref) and _MONTH_AFTER.match(text, end))
        or bool(_POSTCODE_DIGITS.match(ref) and _POSTCODE_LETTERS.match(text, end))
    )


def _answered_kind(
    text: str, m: re.Match[str], found: dict[Reference, list[tuple[int, str]]]
) -> Reference | None:
    """The kind of a number given after a pause: four digits at least, else it is a count or a
    time; "Het kenmerk van mijn bezwaar is ...": a kenmerk's kind is its paper's."""
    if len(_DIGIT.findall(m.group("ref"))) < 4 or _NOT_OURS_WORD.match(m.group(0)):
        return None
    named = None if m.group("generic") else _kind_before(text, m.start("ref"))
    return named or _generic_kind(text, m.start("ref"), found)


def _loose_kind(text: str, m: re.Match[str]) -> Reference | None:
    """The kind of a number of four digits or more a few words after its word (`_LOOSE`)."""
    ref, at = _clean(m.group("ref")), m.start("ref")
    if len(_DIGIT.findall(ref)) < 4 or len(ref) < 5:
        return None
    if any(p.match(ref) for p in (_THOUSANDS, _ISO_DAY, _MODEL)):
        return None
    if _MONTH_AFTER.match(text, m.end("ref")) or _BEFORE_LOOSE.search(text, max(0, at - 15), at):
        return None
    return _kind_in_sentence(text, m.start())


def extract_references(text: str) -> dict[Reference, list[str]]:
    found: dict[Reference, list[tuple[int, str]]] = {"customer": [], "order": [], "invoice": []}
    taken: set[int] = set()

    def free(m: re.Match[str]) -> bool:
        start, end = m.span("ref")
        overlaps = any(start <= at < end for at in taken)
        return not overlaps and _is_reference(text, m, _clean(m.group("ref")))

    def take(kind: Reference, m: re.Match[str]) -> None:
        taken.add(m.start("ref"))
        found[kind].append((m.start("ref"), _clean(m.group("ref"))))

    # Where a number follows several cues ("order ref: WS-99812" is read after "order" and
    # after "ref"), the cue that starts first, the longer phrase, says what it is.
    candidates = sorted(
        (m.start("ref"), m.start(), kind, m)
        for kind, pattern in _PATTERNS
        for m in pattern.finditer(text)
    )
    for _, _, cue_kind, m in candidates:
        if not free(m):
            continue
        kind = cue_kind or _generic_kind(text, m.start(), found)
        take(kind, m)
        end = m.end()
        while (more := _MORE.match(text, end)) is not None and free(more):
            if _PHONE_OR_POSTCODE.match(text, more.start("ref")):
                break
            take(kind, more)
            end = more.end()
    # Then the numbers no cue stands right before, each way less sure than the one before it.
    later: tuple[tuple[re.Pattern[str], Callable[[re.Match[str]], Reference | None]], ...] = (
        (_BARE, lambda m: _kind_before(text, m.start())),
        (_NUMBER_FIRST, lambda m: _kind_of(m.group("cue"))),
        (_ANSWERED, lambda m: _answered_kind(text, m, found)),
        (_CONNECTION_EAN, lambda m: "customer"),
        (_LOOSE, lambda m: _loose_kind(text, m)),
        (_TRACKING, lambda m: "order"),
        (_NAMED_INVOICE, lambda m: "invoice"),
        (_SHAPED, lambda m: "invoice" if _kind_before(text, m.start()) == "invoice" else None),
    )
    for pattern, kind_of_match in later:
        for m in pattern.finditer(text):
            if free(m) and (later_kind := kind_of_match(m)) is not None:
                take(later_kind, m)
    return {kind: [ref for _, ref in sorted(refs)] for kind, refs in found.items()}
