"""Quote and signature stripping on plain text, Dutch and English."""

from __future__ import annotations

import pytest

from channels.email import strip_quoted

NEW = "De taart was verbrand."


@pytest.mark.parametrize(
    "quote",
    [
        "Op 24 nov. 2026 om 10:12 schreef Klachtenservice <klachten@bakkerij.nl>:\n> Vraag?",
        "Op di 24 nov. 2026 om 10:12 schreef Klachtenservice <\nklachten@bakkerij.nl>:\n\n> Vraag?",
        "Op 24 nov. 2026 om 10:12 heeft Klachtenservice <klachten@bakkerij.nl> het volgende\n"
        "geschreven:\n\n> Vraag?",
        "On Tue, Nov 24, 2026 at 10:12 AM Klachtenservice <klachten@bakkerij.nl> wrote:\n> Q?",
        "On 24 Nov 2026, at 10:12, Klachtenservice <klachten@bakkerij.nl> wrote:\n\n> Q?",
        "> Vraag?\n> Nog een vraag?",
    ],
)
def test_quoted_text_goes(quote: str) -> None:
    assert strip_quoted(f"{NEW}\n\n{quote}\n>\n> Oude tekst.\n") == NEW


@pytest.mark.parametrize(
    "tail",
    [
        "-----Original Message-----\nFrom: Klachtenservice\nSent: Tuesday\nTo: Piet\nSubject: x",
        "-----Oorspronkelijk bericht-----\nVan: Klachtenservice\nVerzonden: dinsdag\nAan: Piet",
        "Van: Klachtenservice <klachten@bakkerij.nl>\nVerzonden: dinsdag 24 november 2026\n"
        "Aan: Piet\nOnderwerp: Uw klacht",
        "From: Klachtenservice <klachten@bakkerij.nl>\nSent: Tuesday, November 24, 2026\n"
        "To: Piet\nSubject: Your complaint",
        "________________________________\nVan: Klachtenservice\nVerzonden: dinsdag\nAan: Piet",
        "---------- Forwarded message ---------\nFrom: Klachtenservice\nDate: Tue",
        "-- \nPiet Bakker\nBakkerstraat 1",
        "--\nPiet",
        "Verzonden vanaf mijn iPhone",
        "Sent from my iPhone",
        "Verstuurd vanaf mijn Samsung Galaxy-smartphone.",
        "Sent from Outlook for Android",
        "Get Outlook for iOS",
        "Verzonden vanuit Mail voor Windows",
    ],
)
def test_everything_after_a_marker_goes(tail: str) -> None:
    assert strip_quoted(f"{NEW}\n\n{tail}\n\nOude tekst die weg moet.") == NEW


@pytest.mark.parametrize(
    "text",
    [
        "Op 3 november schreef ik:\nik wil mijn geld terug.",
        "On Monday I wrote to you already: nothing happened.",
        "Van: de bakker aan de overkant kocht ik ook eens een taart.",
        "Verzonden met PostNL, maar nooit aangekomen.",
        "Het pakket is verzonden vanaf het depot in Utrecht.",
        "Prijs -- veel te hoog.",
    ],
)
def test_a_customer_sentence_is_not_taken_for_a_quote(text: str) -> None:
    assert strip_quoted(text) == text


def test_bottom_posted_answer_is_kept() -> None:
    text = (
        "On Tue, Nov 24, 2026 at 10:12 AM Klachtenservice <k@b.nl> wrote:\n"
        "> Which product?\n\nThe apple pie."
    )
    assert strip_quoted(text) == "The apple pie."


def test_whitespace_is_tidied() -> None:
    assert strip_quoted("\n\nEen   \r\n\r\n\r\n\r\ntwee\r\n> oud\r\n") == "Een\n\ntwee"


def test_only_quoted_text_leaves_nothing() -> None:
    assert strip_quoted("> alles\n> is citaat") == ""
