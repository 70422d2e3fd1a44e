"""Dutch/English language choice by counting frequent function words.

A stopword count separated nl/en in ~99 % of cases in earlier measurements and costs
microseconds, so no language-id dependency is needed for a two-language decision.
"""

from __future__ import annotations

from dataclasses import dataclass

from bot.nlu.normalize import words
from bot.nlu.types import Language


def _wordset(text: str) -> frozenset[str]:
    return frozenset(text.split())


_NL = _wordset(
    """
    de het een en van ik je jij u uw jullie dat die niet op te met voor zijn er maar om ook als bij
    nog wel geen heb heeft hebben kan kunt kunnen wil wilt zou zouden naar mijn ons onze wat hoe
    waar wanneer waarom deze dit door dan of zo weer heel erg sinds gisteren vandaag morgen
    goedemorgen goedemiddag goedenavond bedankt dank graag alstublieft groet groeten hallo hoi
    ja nee toch keer week weken dagen maand gebeld bestelling pakket factuur monteur klacht buren
    niemand nooit steeds hij zij ze wij mij mee uit over tot na bent wordt worden werd krijg
    krijgen komt komen kom gaat ga doet doen nu hier daar iets niets alles vind vindt moet moeten
    mag mogen zal zullen hadden waren alweer eindelijk gewoon echt beste geachte
    """
)
_EN = _wordset(
    """
    the a an and of i you your that this not to with for are there but also as at still no has
    can could would will my our what how where when why which did do does it its from been be
    get got please thanks thank hello hi dear regards since yesterday today tomorrow again just
    they them their he she his her us am i'm i've it's don't doesn't didn't can't won't isn't
    hasn't haven't wasn't weren't were any some all nothing nobody anyone someone order parcel
    invoice complaint neighbours neighbour engineer being into about after before than then
    there's what's yet ever never very really so too know want need
    """
)
# Spellings shared by both languages ("in", "is", "was", "we", "me", "had") vote for neither.
_NL_ONLY = _NL - _EN
_EN_ONLY = _EN - _NL


@dataclass(frozen=True)
class LanguageVotes:
    """How many words of a text only Dutch or only English uses."""

    nl: int
    en: int

    @property
    def guess(self) -> Language:
        return "nl" if self.nl >= self.en else "en"

    def choose(self, previous: Language | None = None) -> Language:
        """Keep `previous` unless the text clearly points the other way."""
        # One stray word ("ok", "thanks", a product name) is not a switch; two votes of margin is.
        if previous is not None and abs(self.nl - self.en) < 2:
            return previous
        return self.guess


def count_votes(folded: str) -> LanguageVotes:
    nl = en = 0
    for w in words(folded):
        if w in _NL_ONLY:
            nl += 1
        elif w in _EN_ONLY:
            en += 1
    return LanguageVotes(nl, en)
