"""A customer message is understood once per step, and remembering readings changes nothing."""

from __future__ import annotations

import json
from datetime import UTC, date, datetime
from importlib import resources

from hypothesis import given, settings
from hypothesis import strategies as st

from bot.dialogue import (
    CustomerMessage,
    Dialogue,
    DialogueState,
    Event,
    PauseElapsed,
    Policy,
)
from bot.nlu import Language, Understanding, understand
from tests.support import dialogue_events

NOW = datetime(2026, 11, 23, 21, 30, tzinfo=UTC)
TODAY = date(2026, 11, 23)


class CountingUnderstander:
    """The real understanding, with a list of the texts it was asked to read."""

    def __init__(self) -> None:
        self.texts: list[str] = []

    def __call__(
        self, text: str, *, today: date, previous_language: Language | None = None
    ) -> Understanding:
        self.texts.append(text)
        return understand(text, today=today, previous_language=previous_language)


def _messages() -> list[str]:
    texts: list[str] = []
    for name in ("seed_eval", "seed_holdout"):
        path = resources.files("bot.nlu").joinpath(f"data/{name}.jsonl")
        with path.open(encoding="utf-8") as fh:
            texts += [json.loads(line)["text"] for line in fh if line.strip()]
    return texts


def test_reading_again_in_the_language_found_gives_the_same_understanding() -> None:
    # The memo files a reading under the language it found; this is why that is sound.
    for text in _messages():
        for previous in ("nl", "en"):
            heard = understand(text, today=TODAY, previous_language=previous)
            assert understand(text, today=TODAY, previous_language=heard.language) == heard


def _run(dialogue: Dialogue, channel: str, texts: list[str]) -> DialogueState:
    by_email = channel == "email"
    state = DialogueState(channel=channel, whole_story=by_email, channel_reaches_customer=by_email)
    for i, text in enumerate(texts, start=1):
        state, _ = dialogue.step(state, CustomerMessage(i, text), NOW)
        if channel != "email" and state.step == "listening":
            state, _ = dialogue.step(state, PauseElapsed(), NOW)
    return state


def test_each_message_of_an_intake_is_understood_once() -> None:
    reader = CountingUnderstander()
    dialogue = Dialogue(Policy(), reader)
    said = ["De monteur zou gisteren komen voor de cv-ketel maar is niet geweest."]
    state = _run(dialogue, "telegram", said)
    answers = {
        "when": "weet ik niet precies",
        "address": "Kerkstraat 12",
        "outcome": "Dat er deze week iemand komt.",
        "contact": "Bel me maar op 06-12345678.",
        "name": "Anna de Boer",
    }
    while state.step == "questioning":
        assert state.current_question is not None
        said.append(answers[state.current_question])
        state, _ = dialogue.step(state, CustomerMessage(len(said), said[-1]), NOW)
    assert len(said) > 1
    assert state.step == "confirming"
    # Neither yes nor no: the whole message is the correction.
    said.append("Het was vorige week dinsdag, niet gisteren.")
    state, _ = dialogue.step(state, CustomerMessage(len(said), said[-1]), NOW)
    assert state.corrections == (said[-1],)
    said.append("nee")
    state, _ = dialogue.step(state, CustomerMessage(len(said), said[-1]), NOW)
    assert state.step == "correcting"
    said.append("De afspraak was om 10 uur.")
    state, _ = dialogue.step(state, CustomerMessage(len(said), said[-1]), NOW)
    assert state.corrections[-1] == said[-1]
    assert reader.texts == said


def test_a_mail_is_understood_once() -> None:
    reader = CountingUnderstander()
    mail = "My parcel 4471234 never arrived. I have called three times already."
    state = _run(Dialogue(Policy(), reader), "email", [mail])
    assert state.intent == "complaint"
    assert state.language == "en"
    assert reader.texts == [mail]


def test_without_memory_every_read_happens_again() -> None:
    reader = CountingUnderstander()
    mail = "Mijn factuur klopt niet, er staat twee keer hetzelfde bedrag op."
    _run(Dialogue(Policy(), reader, remember=0), "email", [mail])
    assert reader.texts == [mail, mail]


texts = st.sampled_from(
    [
        "Mijn pakket is kwijt.",
        "Het pakket 1234567 is nooit aangekomen. Ik heb al drie keer gebeld!!",
        "ja",
        "nee, het was vorige week dinsdag",
        "weet ik niet",
        "anna@example.nl",
        "Ik ruik gas",
        "The invoice is wrong, I was charged twice",
        "Sorry, can we continue in English? I do not speak Dutch.",
        "ok",
    ]
) | st.text(max_size=40)
events = dialogue_events(texts)
remembering = Dialogue(Policy(), understand)
forgetting = Dialogue(Policy(), understand, remember=0)


@settings(max_examples=150, deadline=None)
@given(
    st.lists(events, max_size=25),
    st.sampled_from(["console", "email", "telegram"]),
    st.sampled_from(["nl", "en"]),
)
def test_remembered_readings_lead_to_the_same_conversation(
    sequence: list[Event], channel: str, language: str
) -> None:
    by_email = channel == "email"
    fast = slow = DialogueState(
        channel=channel,
        language=language,
        whole_story=by_email,
        channel_reaches_customer=by_email,
    )
    for event in sequence:
        fast, fast_actions = remembering.step(fast, event, NOW)
        slow, slow_actions = forgetting.step(slow, event, NOW)
        assert (fast, fast_actions) == (slow, slow_actions)
