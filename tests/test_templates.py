"""Every template renders with sample data, and none uses wording that puts customers off."""

import re
from dataclasses import asdict
from datetime import UTC, datetime

import pytest

from bot.dialogue import DialogueState
from bot.reports.report import Figures
from bot.reports.rows import SCORES
from common.templates import all_template_names, environment, render
from storage.models import Case

# The coordinator's report (templates/reports/): one period, no charts.
_FIGURES = asdict(
    Figures(
        cases=1,
        hidden=0,
        per_intent={"complaint": 1},
        per_category={"billing": 1},
        per_channel={"email": 1},
        resolved=1,
        handling_median_hours=2.0,
        handling_p90_hours=2.0,
        first_contact_met=1,
        first_contact_due=1,
        resolution_met=1,
        resolution_due=1,
        escalations=0,
        escalated_cases=0,
        checks_answered=0,
        checks_no=0,
        survey_averages=dict.fromkeys(SCORES),
    )
)
_REPORT = {
    "from": "2026-11-01",
    "to": "2026-11-30",
    "previous_from": "2026-10-01",
    "previous_to": "2026-10-31",
    "bucket": "week",
    "current": _FIGURES,
    "previous": _FIGURES,
    "year_ago": None,
    "series": {},
    "phrases": [{"phrase": "lift staat stil", "cases": 3}],
    "rises": [{"dimension": "topic", "value": "billing", "count": 6, "baseline": 1.0}],
    "improvements": [
        {
            "what": "Liften vaker keuren",
            "why": "storingen",
            "topic": "billing",
            "owner": "Sam",
            "due": "2026-12-31",
            "status": "open",
            "before": 4,
            "after": 1,
        }
    ],
}

SAMPLE = {
    "report": _REPORT,
    "names": {"category": {"billing": "facturering"}, "channel": {}, "intent": {}},
    "charts": {"category": None, "channel": None, "intent": None},
    "kind": "month",
    "action_number": 7,
    "sender_name": "Woonstichting De Linde",
    "organisation": "Woonstichting De Linde",
    "case_number": "K-2026-000123",
    "story": ["De monteur is niet gekomen."],
    "language": "nl",
    "case": Case(
        number="K-2026-000123", customer_id=1, channel="console", received_at=datetime.now(UTC)
    ),
    "customer_name": "Anna",
    "received_at": "2026-11-24 10:00",
    "variant": 0,
    "anger": 0,
    "category": "service_execution",
    "intent": "complaint",
    "emergency_phone": "0800-1234",
    "key_sentence": "De monteur is niet gekomen.",
    "explicit": True,
    "slot": "when",
    "gist": "De monteur is niet gekomen.",
    "facts": [{"slot": "when", "value": "maandag"}],
    "outcome": "Een nieuwe afspraak.",
    "contact": "anna@example.nl",
    "promise_day": "woensdag 25 november",
    "promise_time": "17:00",
    "handler_name": None,
    "channel": "console",
    "offer_email": True,
    "reach": "phone",
    "reach_to": "06-12345678",
    "requested": False,
    "email": None,
    "short": False,
    "one_off": True,
    "about": "when",
    "asking": "when",
    "routes": ["repair_request", "complaint"],
    "consent_email": True,
    "text": "Wij komen morgen om 10:00 langs.",
    "urgent": False,
    # Written confirmation and follow-ups.
    "summary": ["De monteur is niet gekomen."],
    "contact_channel": "console",
    "by_email": True,
    "resolve_day": "dinsdag 8 december",
    "step": "ask",
    "question": "overall",
    "survey_day": "dinsdag 8 december",
    "due": "2026-11-25 17:00",
    "renewed": "2026-11-26 17:00",
    "what": "first_contact",
    "happened": "no_key",
    # Chat channels: what came with a message, an unknown command.
    "kinds": ["photo", "location"],
    "too_large": None,
    "command": "/help",
    # The handler group in Telegram.
    "cases": [
        {
            "number": "K-2026-000123",
            "status": "handed_off",
            "category": "delivery",
            "due": "2026-11-25 17:00",
            "handler": "Sanne",
        }
    ],
    # The handler's summary.
    "identities": [("telegram", "4242"), ("email", "anna@example.nl")],
    "registration": {"name": "Anna de Vries", "phone": "06-12345678"},
    "missing": ["address", "email"],
    "details": [{"kind": "when", "value": "maandag 23 november 2026"}],
    "received": {"day": "dinsdag 24 november 2026", "time": "10:00", "zone": "CET"},
    "promise": {"day": "woensdag 25 november 2026", "time": "17:00", "zone": "CET"},
    "reach_kind": "phone",
    "reach_address": "06-12345678",
    "state": DialogueState(
        story=("De monteur is niet gekomen.",),
        key_sentences=("De monteur is niet gekomen.",),
        facts={"when": "maandag", "outcome": "Een nieuwe afspraak."},
        unknown=("who",),
        corrections=("Het was dinsdag.",),
        changed=("when",),
        customer_questions=("Wanneer komt er iemand?",),
        consent_email=True,
        email="anna@example.nl",
    ),
    "promise_at": "2026-11-25 17:00",
    # The daily digest of mail kept without a case.
    "count": 2,
    "more": 0,
    "mails": [
        {
            "received": "2026-11-24 10:00",
            "sender": "anna@example.nl",
            "subject": "Automatisch antwoord",
            "kind": "auto_reply",
            "case_number": None,
            "text": "Ik ben tot maandag afwezig.",
        },
        {
            "received": "2026-11-24 11:00",
            "sender": "mailer-daemon@example.nl",
            "subject": "",
            "kind": "bounce",
            "case_number": "K-2026-000123",
            "text": "",
        },
    ],
    # A message the outbox could not deliver.
    "error": "SMTP server refused RCPT TO: 550 5.1.1 no such user",
    "outbox_id": 42,
    # The optional language model's instruction.
    "intents": ["complaint", "question"],
    # The web chat's "send me a link" mail.
    "link": "https://klachten.example.nl/chat/resume/token?lang=nl",
    "valid_hours": 24,
    # The example configuration's generated desk key.
    "secret_key": "sample-secret-key",
    "hash_key": "sample-hash-key",
    "categories": ["delivery", "billing"],
    "earlier": [
        {
            "number": "K-2026-000100",
            "category": "service_execution",
            "received": {"day": "maandag 2 november 2026", "time": "09:00", "zone": "CET"},
            "repeat": True,
        }
    ],
}

# Defending, passing the buck, procedure and robot talk, in both languages.
UNHELPFUL = [
    r"\bja,? maar\b",
    r"daar kan ik (ook )?niets aan doen",
    r"daar ga ik niet over",
    r"uw klacht is in behandeling",
    r"volgens ons systeem",
    r"dat is (nu eenmaal )?(de )?procedure",
    r"\byes,? but\b",
    r"there is nothing I can do",
    r"not my department",
    r"your complaint is being processed",
    r"according to our system",
    r"that is (our )?policy",
]
INFORMAL_DUTCH = r"\b(je|jij|jou|jouw|jullie)\b"

MESSAGE_TEMPLATES = [n for n in all_template_names() if n.startswith("messages/")]
# Partials ("_words.j2") hold words other templates import; they render nothing themselves.
SHOWN_TEMPLATES = [n for n in all_template_names() if not n.rsplit("/", 1)[-1].startswith("_")]


def test_there_are_templates_in_both_languages() -> None:
    for language in ("nl", "en"):
        assert any(n.startswith(f"messages/{language}/") for n in MESSAGE_TEMPLATES)
    names = {n.split("/", 2)[2] for n in MESSAGE_TEMPLATES}
    for name in names:
        assert f"messages/nl/{name}" in MESSAGE_TEMPLATES
        assert f"messages/en/{name}" in MESSAGE_TEMPLATES


# The web desk's pages take their words from web/<language>/words.html.j2 and render with a
# running desk (tests/web); the privacy export renders a person's stored rows (tests/test_privacy).
@pytest.mark.parametrize(
    "name", [n for n in SHOWN_TEMPLATES if not n.startswith(("web/", "privacy/"))]
)
def test_template_renders_and_avoids_unhelpful_wording(name: str) -> None:
    text = render(name, **SAMPLE)
    assert text.strip()
    _assert_helpful(name, text)


def _assert_helpful(name: str, text: str) -> None:
    for pattern in UNHELPFUL:
        assert not re.search(pattern, text, re.IGNORECASE), f"{name}: {pattern}"
    if "/nl/" in name:
        assert not re.search(INFORMAL_DUTCH, text, re.IGNORECASE), f"{name} uses informal Dutch"


def _words(language: str) -> dict[str, object]:
    module = environment().get_template(f"web/{language}/words.html.j2").module
    return {name: getattr(module, name) for name in dir(module) if not name.startswith("_")}


def test_the_web_desk_has_every_word_in_both_languages_and_says_it_well() -> None:
    dutch, english = _words("nl"), _words("en")
    assert dutch.keys() == english.keys()
    for language, words in (("nl", dutch), ("en", english)):
        for key, value in words.items():
            if isinstance(value, dict):
                assert value.keys() == (dutch if language == "en" else english)[key].keys()  # type: ignore[attr-defined]
            _assert_helpful(f"web/{language}/words.html.j2", str(value))
