"""The pure dialogue core: a burst is one story, acknowledged once after the pause."""

from datetime import UTC, datetime, timedelta

import pytest
from hypothesis import given
from hypothesis import strategies as st

from bot.dialogue import (
    CustomerMessage,
    Dialogue,
    DialogueState,
    Event,
    MarkAcknowledged,
    PauseElapsed,
    Reply,
    UnknownTransition,
    WakeAt,
)

NOW = datetime(2026, 11, 24, 22, 30, tzinfo=UTC)
dialogue = Dialogue(pause=timedelta(seconds=20))


def test_messages_are_collected_until_the_pause() -> None:
    state, actions = dialogue.step(DialogueState(), CustomerMessage(1, "Lekkage."), NOW)
    assert actions == [WakeAt(NOW + timedelta(seconds=20))]
    state, actions = dialogue.step(state, CustomerMessage(2, "Al weken."), NOW)
    assert state.story == ("Lekkage.", "Al weken.")
    state, actions = dialogue.step(state, PauseElapsed(), NOW)
    assert [type(a) for a in actions] == [Reply, MarkAcknowledged]
    assert state.step == "acknowledged"
    assert state.pending == ()


def test_a_pause_with_nothing_new_says_nothing() -> None:
    assert dialogue.step(DialogueState(), PauseElapsed(), NOW) == (DialogueState(), [])


def test_state_survives_a_round_trip_through_json() -> None:
    state, _ = dialogue.step(DialogueState(language="en"), CustomerMessage(7, "Hi"), NOW)
    assert DialogueState.from_dict(state.to_dict(), language="nl") == state


def test_unknown_transition_names_event_and_step() -> None:
    broken = DialogueState(step="nonsense")  # type: ignore[arg-type]
    with pytest.raises(UnknownTransition, match=r"CustomerMessage.*'nonsense'"):
        dialogue.step(broken, CustomerMessage(1, "x"), NOW)


events = st.one_of(
    st.builds(CustomerMessage, st.integers(min_value=1), st.text(max_size=50)),
    st.just(PauseElapsed()),
)


@given(st.lists(events, max_size=40))
def test_random_events_lose_no_message_and_reply_once_per_burst(sequence: list[Event]) -> None:
    state = DialogueState()
    told: list[str] = []
    replies = 0
    for event in sequence:
        state, actions = dialogue.step(state, event, NOW)
        if isinstance(event, CustomerMessage):
            told.append(event.text)
        replies += sum(isinstance(a, Reply) for a in actions)
        assert state.step in ("listening", "acknowledged", "adding")
    assert list(state.story) == told
    bursts = sum(
        1
        for before, event in zip([None, *sequence], sequence, strict=False)
        if isinstance(event, PauseElapsed) and isinstance(before, CustomerMessage)
    )
    assert replies == bursts
