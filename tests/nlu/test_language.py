from __future__ import annotations

from datetime import date

from bot.nlu import understand

TODAY = date(2026, 3, 20)


def test_detects_both_languages() -> None:
    assert understand("Mijn pakket is nog steeds niet bezorgd.", today=TODAY).language == "nl"
    assert understand("My parcel still has not been delivered.", today=TODAY).language == "en"


def test_short_text_keeps_previous_language() -> None:
    for text in ("ok", "Ok!", "06-12345678", "Thanks", "Top", "ja"):
        assert understand(text, today=TODAY, previous_language="nl").language == "nl"
    for text in ("ok", "Bedankt", "jan@example.com"):
        assert understand(text, today=TODAY, previous_language="en").language == "en"


def test_clear_switch_follows_the_customer() -> None:
    text = "Sorry, can we continue in English? I do not speak Dutch."
    assert understand(text, today=TODAY, previous_language="nl").language == "en"
    text = "Kunnen we ook gewoon in het Nederlands verder gaan?"
    assert understand(text, today=TODAY, previous_language="en").language == "nl"


def test_dutch_is_the_default_without_any_clue() -> None:
    assert understand("12345", today=TODAY).language == "nl"
