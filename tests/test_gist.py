"""The gist read back to the customer and the handler is one clean, whole sentence."""

from __future__ import annotations

import pytest

from bot.dialogue.gist import gist, sentences, shouted
from common.templates import render


def test_a_shouted_outburst_is_never_the_gist() -> None:
    story = (
        "THIS IS RIDICULOUS!!! MY SOFA ARRIVED WITH A TORN CUSHION AND NOBODY ANSWERS THE PHONE",
    )
    assert gist(story, ("THIS IS RIDICULOUS!!!",)) == (
        "My sofa arrived with a torn cushion and nobody answers the phone."
    )


def test_a_calm_key_sentence_is_kept_as_written() -> None:
    story = ("Hallo. De monteur is dinsdag niet gekomen. Ik had er vrij voor genomen!",)
    assert gist(story, ("De monteur is dinsdag niet gekomen.",)) == (
        "De monteur is dinsdag niet gekomen."
    )


@pytest.mark.parametrize(
    ("story", "key"),
    [
        ("Er staat ca. 9.99 euro te veel op mijn factuur.", "9.99 euro te veel op mijn factuur."),
        (
            "Ik betaalde € 9. 99 euro voor niets en kreeg geen bon.",
            "99 euro voor niets en kreeg geen bon.",
        ),
        ("Bestelling nr. 12345 is nooit gekomen.", "12345 is nooit gekomen."),
    ],
)
def test_a_piece_cut_inside_a_number_or_after_an_abbreviation_becomes_the_whole_sentence(
    story: str, key: str
) -> None:
    found = gist((story,), (key,))
    assert found == story, found


def test_a_question_or_a_bare_exclamation_is_skipped_for_the_next_sentence() -> None:
    story = ("Waarom belt niemand terug?", "Belachelijk!", "Mijn wasmachine lekt sinds maandag.")
    assert gist(story, story[:2]) == "Mijn wasmachine lekt sinds maandag."


def test_no_usable_sentence_gives_nothing_rather_than_a_fragment() -> None:
    assert gist(("Hallo?", "!!!", "ok"), ()) == ""


def test_shouting_is_measured_on_letters() -> None:
    assert shouted("HET IS WEER MIS")
    assert not shouted("Order ABC-123 is weg.")


def test_sentences_keep_decimals_and_initials_together() -> None:
    assert sentences("Het kost 9.99 euro. J. de Vries belde.") == [
        "Het kost 9.99 euro.",
        "J. de Vries belde.",
    ]


def test_a_greeting_an_introduction_and_contact_details_are_not_the_gist() -> None:
    story = (
        "Goedemiddag, ik ben Henk Jansen, klantnummer 40771. Op factuur 2026-3312 staat 189 "
        "euro te veel. Bel mij op 0612398745 of mail henk.jansen@example.nl.",
    )
    assert gist(story, ("ik ben Henk Jansen, klantnummer 40771.",)) == (
        "Op factuur 2026-3312 staat 189 euro te veel."
    )
    assert gist(("Goedemorgen, de lift is weer kapot sinds maandag.",)) == (
        "De lift is weer kapot sinds maandag."
    )
    assert gist(("Ik ben boos, want de lift is weer kapot.",)) == (
        "Ik ben boos, want de lift is weer kapot."
    )


@pytest.mark.parametrize("language", ["nl", "en"])
def test_a_forms_wish_line_is_not_the_gist_when_the_story_has_a_sentence(language: str) -> None:
    # A form puts the wish on a labelled line of its own; that line can carry the stronger
    # complaint cue, but it says what would help, not what happened.
    story = "De monteur zou de cv-ketel repareren maar is drie keer niet gekomen."
    wish = "Dat de ketel deze week gerepareerd wordt."
    text = render(
        f"web/{language}/form_story.txt.j2", story=story, when="", product="", wish=wish
    ).strip()
    wish_line = next(line for line in text.splitlines() if wish in line)
    assert gist([text], (wish_line,)) != story  # the cue alone would pick the wish line
    assert gist([text], (wish_line,), wish) == story


def test_a_wish_is_still_the_gist_when_nothing_else_is_usable() -> None:
    story = ("Hallo!", "Ik wil graag dat de lekkage in de badkamer wordt verholpen.")
    wish = "dat de lekkage in de badkamer wordt verholpen"
    assert gist(story, (), wish) == "Ik wil graag dat de lekkage in de badkamer wordt verholpen."
