"""Reference numbers a handler looks up: customer/tenant, order (also track & trace) and
invoice (also an assessment number, "nr."/"Nummer" after the word invoice) numbers.

A number counts only after a word that says what it is: a bare number in a message is as
often a house number, an amount or a date. "Nummer: 4400-1192" on a line of its own takes its
kind from the nearest such word before it ("Het gaat om de factuur van maart. Nummer: ...").
"""

from __future__ import annotations

import re
from typing import Literal

Reference = Literal["customer", "order", "invoice"]

_CUES: tuple[tuple[Reference, str], ...] = (
    (
        "customer",
        r"klant(?:en)?(?:nummer|nr)|klant|huurder(?:s)?(?:nummer|nr)?|huur(?:nummer|nr)|"
        r"relatie(?:nummer|nr)?|debiteur(?:en)?(?:nummer|nr)?|contract(?:nummer|nr)?|"
        r"abonnee(?:nummer|nr)?|abonnement(?:s)?(?:nummer|nr)|zaak(?:nummer|nr)?|case|"
        r"melding(?:s)?(?:nummer|nr)?|meldingen|kenmerk|reference(?: number)?|"
        r"referentie(?:nummer|nr)?|lid(?:maatschaps)?(?:nummer|nr)|"
        r"polis(?:nummer|nr)?|dossier(?:nummer|nr)?|aansluit(?:nummer|nr)|ean(?:-code| code)?|"
        r"customer|tenant|tenancy|account|membership|client|ref",
    ),
    (
        "order",
        r"order(?:nummer|nr)?|bestel(?:nummer|nr|ling)?|zending|track\s?(?:&|en|and)\s?trace"
        r"(?:\s?code)?|tracking(?:\s?(?:code|number))?|trackingnummer|pakket(?:nummer)?|"
        r"retour(?:nummer|nr)|rma|parcel|shipment|orderbevestiging|bestelbevestiging|"
        r"reparatie(?:nummer|nr)?|boeking(?:s)?(?:nummer|nr)?|werkorder|werkbon|"
        r"job(?: ref| reference| number)?|booking(?: reference| number)?|repair(?: number)?",
    ),
    (
        "invoice",
        r"factuur(?:nummer|nr)?|facturen|nota(?:nummer)?|invoice|bill|aanslag(?:nummer|nr)?|"
        r"beschikking(?:s?nummer)?|naheffingsaanslag|rekening(?:nummer|nr)|creditnota|offerte(?:nummer|nr)?|quote|"
        r"betalingskenmerk",
    ),
)
# What may stand between the word and the number: "nummer", "nr.", "no", "#", ":", "is".
_BETWEEN = (
    r"(?:[ \t]*(?:-|\.|\bnummer\b|\bnr\b\.?|\bno\b\.?|\bnumber\b|\bnum\b|\bid\b|\bcode\b|"
    r"\bis\b|\bwas\b|\bmet\b|\bwith\b|\bvan\b|\bof\b|\bhet\b|\bthe\b|\bmijn\b|\bmy\b|#|:|\(|=)){0,4}"
)
# A reference holds a digit; letters, dashes, slashes and dots join its parts; groups of digits
# may be spaced ("7712 0045 9910").
_REF = (
    r"(?P<ref>(?=[A-Za-z0-9./-]*\d)[A-Za-z]{0,5}[-/]?\d[A-Za-z0-9]*(?:[-/.][A-Za-z0-9]+)*"
    r"(?:[ ]\d{3,}(?![.,]\d))*)"
)
_PATTERNS: tuple[tuple[Reference, re.Pattern[str]], ...] = tuple(
    (kind, re.compile(rf"\b(?:{words})\b{_BETWEEN}[ \t]*{_REF}", re.I)) for kind, words in _CUES
)
_ANY_CUE = re.compile("|".join(rf"\b(?:{words})\b" for _, words in _CUES), re.I)
_KIND_OF = tuple((kind, re.compile(rf"^(?:{words})$", re.I)) for kind, words in _CUES)
# "Nummer: 4400-1192", "nr. 88124", also "en nr. 88124" after a first reference.
_BARE = re.compile(rf"\b(?:nummer|nr\.?|no\.?|number|#)[ \t]*:?[ \t]*#?{_REF}", re.I)
# Units after a number mean it is no reference ("contract van 12 maanden").
_NOT_A_REFERENCE = re.compile(
    r"^(?:\d{1,3}(?: (?:dagen|weken|maanden|jaar|days|weeks|months|years|euro|eur|procent))?)$"
)
_UNIT_AFTER = re.compile(
    r"[ \t]*(?:dagen|dag|weken|week|maanden|maand|jaar|jaren|days?|weeks?|months?|years?|euro|"
    r"eur\b|procent|%|uur|hours?|minuten|minutes|keer|times|x\b)", re.I
)
# "factuur 20011 en 20012", "nr. 88123 en nr. 88124": one word, several numbers.
_MORE = re.compile(
    rf"[ \t]*(?:,|\ben\b|\band\b|&|\bof\b|\bor\b)[ \t]*(?:(?:nr|no)\.?[ \t]*)?{_REF}", re.I
)
# Words that give a bare "nr. ..." its kind but are too common to start a reference themselves.
_CONTEXT: tuple[tuple[Reference, re.Pattern[str]], ...] = (
    ("invoice", re.compile(r"\b(?:rekening|bon|aanslag|fine|bill)\b", re.I)),
)
_YEAR = re.compile(r"^(?:19|20)\d\d$")
_LOOK_BACK = 120


def _kind_of(word: str) -> Reference | None:
    for kind, pattern in _KIND_OF:
        if pattern.match(word):
            return kind
    return None


def _clean(ref: str) -> str:
    return ref.rstrip(".-/")


def extract_references(text: str) -> dict[Reference, list[str]]:
    found: dict[Reference, list[tuple[int, str]]] = {"customer": [], "order": [], "invoice": []}
    taken: set[int] = set()
    for kind, pattern in _PATTERNS:
        for m in pattern.finditer(text):
            ref = _clean(m.group("ref"))
            if _UNIT_AFTER.match(text, m.end("ref")) or _NOT_A_REFERENCE.match(ref):
                continue
            if len(ref) < 3 or m.start("ref") in taken or _YEAR.match(ref):
                continue
            taken.add(m.start("ref"))
            found[kind].append((m.start("ref"), ref))
            end = m.end()
            while (more := _MORE.match(text, end)) is not None:
                taken.add(more.start("ref"))
                found[kind].append((more.start("ref"), _clean(more.group("ref"))))
                end = more.end()
    for m in _BARE.finditer(text):
        if m.start("ref") in taken:
            continue
        ref = _clean(m.group("ref"))
        if len(ref) < 3 or _UNIT_AFTER.match(text, m.end("ref")):
            continue
        cues = list(_ANY_CUE.finditer(text, max(0, m.start() - _LOOK_BACK), m.start()))
        window = text[max(0, m.start() - _LOOK_BACK) : m.start()]
        bare_kind = _kind_of(cues[-1].group(0)) if cues else None
        if bare_kind is None:
            bare_kind = next((k for k, pattern in _CONTEXT if pattern.search(window)), None)
        if bare_kind is not None:
            taken.add(m.start("ref"))
            found[bare_kind].append((m.start("ref"), ref))
    return {kind: [ref for _, ref in sorted(refs)] for kind, refs in found.items()}
