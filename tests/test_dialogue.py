"""The pure dialogue core, driven event by event with the real offline understanding."""

from datetime import UTC, datetime, timedelta
from zoneinfo import ZoneInfo

from hypothesis import given, settings
from hypothesis import strategies as st

from bot.dialogue import (
    STEPS,
    Action,
    ChoicePressed,
    Classify,
    CloseCase,
    CustomerMessage,
    Dialogue,
    DialogueState,
    Event,
    HandlerAction,
    HandOff,
    NotifyHandler,
    PauseElapsed,
    Policy,
    Reply,
    TimerDue,
    WakeAt,
)
from bot.nlu import understand
from tests.support import dialogue_events

AMSTERDAM = ZoneInfo("Europe/Amsterdam")
# A Monday evening: the promise falls on Tuesday.
NOW = datetime(2026, 11, 23, 21, 30, tzinfo=UTC)
dialogue = Dialogue(Policy(), understand)


class Conversation:
    """Feeds events one at a time and keeps every action, as the wiring would."""

    def __init__(self, channel: str = "console", language: str = "nl") -> None:
        self.state = DialogueState(channel=channel, language=language)
        self.replies: list[Reply] = []
        self.actions: list[Action] = []
        self.next_id = 1
        self.now = NOW

    def feed(self, event: Event) -> list[Action]:
        self.state, actions = dialogue.step(self.state, event, self.now)
        self.actions += actions
        self.replies += [a for a in actions if isinstance(a, Reply)]
        return actions

    def say(self, *lines: str) -> list[Action]:
        actions: list[Action] = []
        for line in lines:
            actions += self.feed(CustomerMessage(self.next_id, line))
            self.next_id += 1
        return actions

    def tell(self, *lines: str) -> list[Action]:
        """A whole burst, then the pause that ends it."""
        return self.say(*lines) + self.feed(PauseElapsed())

    def step(self) -> str:
        return self.state.step

    def templates(self) -> list[str]:
        return [r.template for r in self.replies]

    def questions(self) -> list[str]:
        return [r.context["slot"] for r in self.replies if r.template == "question"]


def test_a_burst_is_one_story_and_waits_for_the_pause() -> None:
    talk = Conversation()
    actions = talk.say("Mijn pakket is niet bezorgd.", "Ik heb al drie keer gebeld.")
    assert talk.replies == []
    assert [a for a in actions if isinstance(a, WakeAt)][-1].at == NOW + timedelta(seconds=20)
    talk.feed(TimerDue())
    assert talk.templates()[0] == "acknowledge"


def test_acknowledge_before_any_question_then_one_question_per_message() -> None:
    talk = Conversation()
    talk.tell("Ik zou teruggebeld worden. Dat is niet gebeurd.")
    assert talk.templates()[:2] == ["acknowledge", "question"]
    assert talk.step() == "questioning"
    assert talk.state.intent == "complaint"
    assert talk.state.explicit is False


def test_no_question_about_a_fact_already_given() -> None:
    talk = Conversation(channel="email")
    talk.tell(
        "Mijn bestelling 4471234 van 3 november is nog steeds niet geleverd. "
        "Ik wil graag mijn geld terug."
    )
    assert talk.state.category == "delivery"
    assert "order_number" not in talk.questions()
    assert "when" not in talk.questions()
    assert "contact" not in talk.questions()  # email tells us how to reach them


def test_full_intake_in_dutch() -> None:
    talk = Conversation()
    talk.tell("De monteur zou gisteren komen voor de cv-ketel maar is niet geweest.")
    asked = []
    answers = {
        "when": "weet ik niet precies",
        "outcome": "Dat er deze week iemand komt.",
        "contact": "06-12345678",
    }
    while talk.step() == "questioning":
        slot = talk.state.current_question
        assert slot is not None
        asked.append(slot)
        talk.say(answers.get(slot, "Geen idee"))
    assert len(asked) <= 4
    assert talk.templates()[-1] == "summary"
    summary = talk.replies[-1]
    assert summary.choices == ("yes", "no")
    assert summary.context["outcome"] == "Dat er deze week iemand komt."
    assert "agreement" not in talk.templates()

    talk.feed(ChoicePressed("yes"))
    assert talk.templates().index("summary") < talk.templates().index("agreement")
    agreement = next(r for r in talk.replies if r.template == "agreement")
    promised = agreement.context["promise_at"].astimezone(AMSTERDAM)
    assert (promised.weekday(), promised.hour, promised.minute) == (1, 17, 0)  # Tuesday 17:00
    assert agreement.context["offer_email"] is True
    assert any(isinstance(a, HandOff) and a.promise_at == promised for a in talk.actions)
    assert talk.step() == "consent"

    talk.say("Ja graag, anna@example.nl")
    assert talk.templates()[-1] == "closing"
    assert talk.replies[-1].context == {"consent_email": True}
    assert talk.state.email == "anna@example.nl"
    assert talk.step() == "handed_off"


def test_english_intake_follows_the_customer() -> None:
    talk = Conversation(language="nl")
    talk.tell("I was promised a call back last week and nobody called. This is the third time.")
    assert talk.state.language == "en"
    assert talk.state.category == "communication"


def test_a_correction_goes_back_into_the_facts() -> None:
    talk = Conversation(channel="email")
    talk.tell("Factuur 2026-0042 klopt niet, er staat 150 euro op in plaats van 50 euro.")
    while talk.step() == "questioning":
        talk.say("Een gecorrigeerde factuur.")
    assert talk.step() == "confirming"
    talk.say("Nee, het bedrag was 55 euro.")
    assert talk.templates()[-1] == "summary"
    assert talk.state.facts["amount"] == "55"
    assert talk.state.corrections == ("het bedrag was 55 euro",)
    talk.say("nee")
    assert talk.templates()[-1] == "ask_correction"
    talk.say("Factuurnummer is 2026-0043")
    assert talk.templates()[-1] == "summary"


def test_email_customers_are_not_offered_an_email_confirmation() -> None:
    talk = Conversation(channel="email")
    talk.tell("Het beleid over huisdieren vind ik oneerlijk.")
    while talk.step() == "questioning":
        talk.say("Dat de regel wordt aangepast.")
    talk.say("Ja, dat klopt.")
    assert talk.templates()[-2:] == ["agreement", "closing"]
    assert talk.step() == "handed_off"


def test_emergency_gets_the_instruction_at_once_and_an_urgent_handoff() -> None:
    talk = Conversation()
    actions = talk.say("Ik ruik gas in de gang!")
    assert [r.template for r in actions if isinstance(r, Reply)] == ["emergency"]
    handoff = next(a for a in actions if isinstance(a, HandOff))
    assert (handoff.urgent, handoff.reason) == (True, "emergency")
    # Round the clock: a person within two hours, even on a Monday night.
    assert handoff.promise_at == NOW + timedelta(hours=2)
    assert talk.step() == "handed_off"


def test_routes_that_skip_the_intake() -> None:
    cases = {
        "Ik ga naar de geschillencommissie, ik ben het niet eens met de afrekening.": (
            "route_dispute",
            "handed_off",
        ),
        "De buren draaien elke nacht harde muziek, we kunnen niet slapen.": (
            "route_nuisance",
            "handed_off",
        ),
        "Wat zijn jullie openingstijden?": ("route_question", "handed_off"),
        "Hartelijk dank voor de snelle reparatie, de monteur was erg vriendelijk!": (
            "compliment",
            "closed",
        ),
    }
    for text, (template, step) in cases.items():
        talk = Conversation()
        talk.tell(text)
        assert talk.templates() == [template], text
        assert talk.step() == step, text
        assert "question" not in talk.templates()


def test_messages_after_the_handoff_join_the_case_with_a_receipt_at_most_every_few_hours() -> None:
    talk = Conversation()
    talk.tell("Wat zijn jullie openingstijden?")
    talk.say("O ja, en mijn klantnummer is 12345.")
    talk.say("En ik ben morgen niet thuis.")
    assert talk.templates().count("receipt_after_handoff") == 1
    assert sum(isinstance(a, NotifyHandler) for a in talk.actions) == 2
    talk.now += timedelta(hours=5)
    talk.say("Nog een vraag.")
    assert talk.templates().count("receipt_after_handoff") == 2


def test_a_customer_who_goes_quiet_is_handed_off_with_what_is_known() -> None:
    talk = Conversation()
    talk.tell("Mijn rekening is veel te hoog.")
    assert talk.step() == "questioning"
    talk.feed(TimerDue())
    assert isinstance(talk.actions[-1], HandOff)
    assert talk.step() == "handed_off"


def test_handler_resolves_and_reopens() -> None:
    talk = Conversation()
    talk.tell("Wat zijn jullie openingstijden?")
    talk.feed(HandlerAction("resolve"))
    assert talk.step() == "closed"
    assert isinstance(talk.actions[-1], CloseCase)
    talk.feed(HandlerAction("reopen"))
    assert talk.step() == "handed_off"


def test_state_survives_a_round_trip_through_json() -> None:
    talk = Conversation()
    talk.tell("Mijn rekening is veel te hoog.")
    copy = DialogueState.from_dict(talk.state.to_dict(), language="en", channel="x")
    assert copy == talk.state


def test_classification_is_recorded_once_per_story() -> None:
    talk = Conversation()
    talk.tell("Het pakket kwam beschadigd aan.")
    assert [a for a in talk.actions if isinstance(a, Classify)] == [
        Classify("nl", "complaint", talk.state.category, talk.state.explicit, talk.state.anger)
    ]


texts = st.sampled_from(
    [
        "Mijn pakket is kwijt.",
        "ja",
        "nee",
        "weet ik niet",
        "anna@example.nl",
        "De monteur kwam niet!!",
        "Ik ruik gas",
        "Bedankt!",
        "",
        "The invoice is wrong",
    ]
) | st.text(max_size=40)
events = dialogue_events(texts)


@settings(max_examples=150, deadline=None)
@given(st.lists(events, max_size=30), st.sampled_from(["console", "email", "telegram"]))
def test_random_events_never_crash_or_lose_a_message(sequence: list[Event], channel: str) -> None:
    state = DialogueState(channel=channel)
    said: list[str] = []
    for event in sequence:
        state, actions = dialogue.step(state, event, NOW)
        if isinstance(event, CustomerMessage):
            said.append(event.text)
        assert state.step in STEPS
        questions = [a for a in actions if isinstance(a, Reply) and a.template == "question"]
        assert len(questions) <= 1
        assert len(state.asked) <= 4
    assert list(state.story) == said
