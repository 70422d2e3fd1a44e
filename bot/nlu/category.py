"""Complaint topic from weighted keyword cues; ties go to the more specific topic."""

from __future__ import annotations

import re

from bot.nlu.classifier import category_model
from bot.nlu.rx import alternation
from bot.nlu.types import CATEGORIES, Category

# (category, weight, pattern). Weight 2 = the word names the topic by itself; 1 = supporting.
_CUES: tuple[tuple[Category, int, re.Pattern[str]], ...] = (
    ("staff_conduct", 3, alternation(
        r"\bonbeleefd|\bonvriendelijk|\bonaardig|\bbrutaal|\bgrof\b|\bkortaf|\bonbeschoft",
        r"\buitgelachen|\buitgescholden|\bscheld\w*|\bafgesnauwd|\bschreeuw\w*|\bgenegeerd",
        r"\bhing\b[^.?!]{0,15}\bop\b|\bopgehangen\b|\brookte\b|\bhouding\b|\bneerbuigend",
        r"\brude\b|\bimpolite\b|\bcondescending\b|\bunhelpful\b|\bunfriendly\b|\barrogant\b",
        r"\bshouted\b|\bswore\b|\byelled\b|\blaughed at\b|\bignored\b|\bhung up\b|\battitude\b",
        r"\bsmoking\b|\bchewing\b",
    )),
    ("staff_conduct", 1, alternation(
        r"\b(medewerk\w*|personeel|collega|chauffeur|bezorger|verkoper|caissi\w*)\b",
        r"\b(staff|employee|assistant|manager|driver|colleague|the man|the woman)\b",
        r"\brommel\b|\brotzooi\b",
    )),
    ("policy", 3, alternation(
        r"\bbeleid\w*|\bregel(s|ing)?\b|\bvoorwaarden\b|\bklant(on)?vriendelijk\b",
        r"\bpolicy\b|\bpolicies\b|\brules?\b|\bterms\b|\bunfair\b|\bstore credit\b",
        r"\btegoedbon\b|\bcontant\b|\balleen (nog )?online\b|\bonly (offer|allow|accept)\w*\b",
        r"\bwithout (anyone )?asking\b|\bautomatically renewed\b|\bwas renewed\b",
    )),
    ("policy", 1, alternation(
        r"\b(mag|mogen) (ik|je|we) (niet|geen)\b|\bniet toegestaan\b|\bverplicht\w*",
        r"\bweekend\b|\bopeningstijden\b|\bretour\w*\b|\bonredelijk\b|\bunreasonable\b",
        r"\binconvenient\b|\bnot allowed\b|\bhave to\b|\brequir\w*",
    )),
    ("billing", 3, alternation(
        r"\bfactu\w*|\brekening\w*|\bafgeschreven\b|\bafschrijving\w*|\bincasso\w*|\baanmaning\w*",
        r"\bterugbetal\w*|\bgeld terug\b|\bcreditnota\b|\bafschrift\b|\bbedrag\w*",
        r"\bdubbel betaald\b",
        r"\binvoice\w*|\bbill(ed|ing|s)?\b|\bcharg\w*|\brefund\w*|\bovercharg\w*|\bpayment\w*",
    )),
    ("billing", 1, alternation(
        r"\bkosten\b|\bbetaal\w*|\bbetaald\b|\beuro\b|\bprijs\b|\bduurder\b|\bherinnering\w*",
        r"\bgeld\b|\bmaandbedrag\b|\babonnement\b|\bverlenging\b|\u20ac",
        r"\bfee\b|\bprice\b|\bmoney\b|\bpaid\b|\bpay\b|\beuros?\b|\bsubscription\b",
    )),
    ("communication", 3, alternation(
        r"\bteruggebeld\b|\bterugbellen\b|\bterug te bellen\b|\bonbereikbaar\b|\bin de wacht\b",
        r"\bgeen (reactie|antwoord|bericht)\b|\bniets gehoord\b|\bniks gehoord\b|\bbeantwoord\w*",
        r"\b(mail|e-mail|brief|bericht)\w*\b[^.?!]{0,20}\b(gelezen|beantwoord)\b|\bgelezen\b",
        r"\bdoorverbonden\b|\bneemt\b[^.?!]{0,10}\bop\b|\bniemand (weet|belt|reageert)\b",
        r"\bcall ?back\b|\bcall me back\b|\b(reply|replies|replied|response|respond\w*)\b",
        r"\bheard (nothing|no)\b|\bon hold\b|\bcan'?t reach\b|\bunreachable\b|\bpassed from\b",
        r"\bnobody (seems to )?know\w*\b|\bexplain my\b|\bread (these|my)\b",
    )),
    ("communication", 1, alternation(
        r"\bgebeld\b|\bbellen\b|\bmail\w*|\bcontact\w*|\bantwoord\w*|\breactie\b|\breageer\w*",
        r"\bwebsite\b|\bsite\b|\btelefoon\w*|\binformatie\b|\b(zei|zegt|zeggen) (dat|de)\b",
        r"\bnieuws\b|\bgehoord\b|\bvraag\b|\bzou\b[^.?!]{0,40}\bworden\b",
        r"\bphone\w*\b|\bemail\w*|\bcall\w*|\banswer\w*|\bwebsite\b|\b(was|were) told\b",
        r"\bring\b|\bheard\b|\binformation\b|\bsaid\b",
    )),
    ("delivery", 3, alternation(
        r"\bpak(ket|je)\w*|\bbezorg\w*|\blever(ing|en|t)\b|\bgeleverd\b|\bverzend\w*|\bverzonden\b",
        r"\bzending\b|\btrack\w*|\bkoerier\b|\bbestelling\w*|\bwaar blijft\b",
        r"\bparcel\w*|\bpackage\w*|\bdeliver\w*|\bcourier\w*|\bshipping\b|\bshipment\b",
        r"\bdepot\b|\bdispatch\w*",
    )),
    ("delivery", 1, alternation(
        r"\baangekomen\b|\bontvangen\b|\bbinnen\b|\bbesteld\b|\bdoos\b",
        r"\barriv\w*|\border\b|\bbox\b|\bdelay\w*|\bsize\b|\breturn label\b",
    )),
    ("product", 3, alternation(
        r"\bkwaliteit\b|\bdefect\w*|\bapparaat\b|\bproduct\w*|\bgerafeld\b|\bdoorgezakt\b",
        r"\bquality\b|\bfaulty\b|\bdefective\b|\bstopped (working|cooling|charging)\b",
        r"\bapp\b|\bwobbl\w*|\bcame loose\b|\bdoesn'?t work\b|\bgets this hot\b",
    )),
    ("product", 1, alternation(
        r"\bkapot\b|\bstuk\b|\blek(t|ken)\b|\bgeluid\b|\blawaai\b|\bvlek\w*|\bkoelt\b|\bzuigt\b",
        r"\bwerkt niet\b|\bkoelkast|\bwasmachine|\bstofzuiger|\bafwasmachine|\bvaatwasser",
        r"\bbroken\b|\bfridge\b|\bcharger\b|\blamp\b|\bchairs?\b|\bkettle\b|\bbought\b|\bkocht\b",
    )),
    ("service_execution", 3, alternation(
        r"\bmonteur\w*|\bloodgieter\w*|\bschilder\w*|\binstallateur\w*|\baannemer\w*|\bschoonma\w*",
        r"\bopdagen\b|\blangs geweest\b|\bafspraak\w*|\buitgevoerd\b|\bstoringsdienst\b",
        r"\bengineer\w*|\btechnician\w*|\bplumber\w*|\bfitter\w*|\belectrician\w*|\bcleaner\w*",
        r"\binstallation\b|\bappointment\w*|\bturn(ed)? up\b|\bshowed up\b|\bvisit\w*\b",
        r"\bgardener\w*|\brepair\w*|\breparatie\w*",
    )),
    ("service_execution", 1, alternation(
        r"\bwerk(zaamheden)?\b|\bklaar\b|\bopgelost\b|\blekkage\b|\bgeweest\b|\bverwarming\b",
        r"\bketel\b|\bkraan\b|\bjob\b|\bfix\w*|\bleak\w*|\bdrip\w*|\bboiler\b|\bheating\b",
        r"\bkwam\b|\bkomt\b|\bcame\b|\bskipped\b|\bdone\b|\bpuin\b|\bmess\b|\binternet\b",
    )),
)
_PRIORITY = {cat: i for i, cat in enumerate(CATEGORIES)}


def decide_category(folded: str) -> Category:
    scores: dict[Category, int] = {}
    for category, weight, pattern in _CUES:
        hits = len(pattern.findall(folded))
        if hits:
            scores[category] = scores.get(category, 0) + weight * hits
    if scores:
        return max(scores, key=lambda c: (scores[c], -_PRIORITY[c]))
    probs = category_model().probabilities(folded)
    label, p = max(probs.items(), key=lambda kv: kv[1])
    if p >= 0.6:
        for category in CATEGORIES:
            if category == label:
                return category
    return "other"
