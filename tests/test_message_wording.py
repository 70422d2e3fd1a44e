"""Every customer message, in every variant and situation, keeps to the wording contract.

The conversation repairs the customer first, then the complaint: acknowledge without a
question, ask one question at a time, summarise with one check, agree concretely, close
warmly. Each template is rendered over all combinations that change its text.
"""

from __future__ import annotations

import itertools
import re
from collections.abc import Iterator
from functools import cache
from typing import Any

import pytest

from bot import nlu
from bot.dialogue import acknowledgement, recap
from bot.nlu.types import EMERGENCY_KINDS
from common import templates
from common.templates import render_message, templates_dir
from tests.test_templates import INFORMAL_DUTCH, UNHELPFUL

LANGUAGES = ("nl", "en")
VARIANTS = range(6)
ANGERS = (0, 1, 2)
CATEGORIES: tuple[str | None, ...] = (*nlu.CATEGORIES, None)
QUESTION_SLOTS = (
    "order_number",
    "invoice_number",
    "when",
    "product",
    "who",
    "amount",
    "outcome",
    "contact",
    "customer_number",
    "phone",
    "email",
    "name",
    "address",
    "postcode",
)
FACT_SLOTS = tuple(kind for kind in recap.FACT_ORDER if kind != "contact")
FACT_LABELS = {
    "nl": {
        "product": "Waar het om gaat",
        "when": "Wanneer",
        "order_number": "Bestelnummer",
        "invoice_number": "Factuurnummer",
        "customer_number": "Klantnummer",
        "amount": "Bedrag",
        "who": "Met wie u te maken had",
        "name": "Uw naam",
        "address": "Adres",
        "postcode": "Postcode",
        "phone": "Telefoonnummer",
        "email": "E-mailadres",
    },
    "en": {
        "product": "What it is about",
        "when": "When",
        "order_number": "Order number",
        "invoice_number": "Invoice number",
        "customer_number": "Customer number",
        "amount": "Amount",
        "who": "Who you dealt with",
        "name": "Your name",
        "address": "Address",
        "postcode": "Postcode",
        "phone": "Phone number",
        "email": "Email address",
    },
}
PHONE = "0800-1234"
CASE = "K-2026-000123"
ORGANISATION = "Woonstichting De Linde"

# Customer sentences, including ones that must never be echoed back: a question mark
# (acknowledge has none) and, in Dutch, the informal address the bot never uses itself.
KEY_SENTENCES = {
    "nl": ("", "Ik zou teruggebeld worden.", "Is hij er weer niet?", "Jullie komen nooit op tijd!"),
    "en": ("", "I was supposed to get a call back.", "Is he not there again?"),
}
GISTS = {
    "nl": ("", "De monteur is niet gekomen.", "Waarom belt niemand terug?"),
    "en": ("", "The engineer did not turn up.", "Why does nobody call back?"),
}
FACT_SETS: tuple[list[dict[str, str]], ...] = (
    [],
    [{"slot": slot, "value": f"waarde {i}"} for i, slot in enumerate(FACT_SLOTS)],
    [{"slot": "when", "value": "maandag, of was het dinsdag?"}],
    [{"slot": "phone", "value": "06-12345678"}, {"slot": "email", "value": "anna@example.nl"}],
)
TOPICS = acknowledgement.TOPICS
PRODUCTS = {"nl": "wasmachine", "en": "washing machine"}
IMPACT_SETS: tuple[list[str], ...] = (
    [],
    ["day_off", "money"],
    ["waiting", "unreachable"],
    ["again"],
)
# A word each impact's sentence uses, whatever the phrasing.
IMPACT_WORDS = {
    "nl": {
        "day_off": "vrij",
        "money": "9,99",
        "waiting": "wacht",
        "unreachable": "antwoord|bereiken|terughoorde",
        "again": "eerste keer|opnieuw|weer",
    },
    "en": {
        "day_off": "off",
        "money": "9.99",
        "waiting": "wait",
        "unreachable": "answer|reach|hearing nothing",
        "again": "first time|again",
    },
}
FEELING = {"nl": r"boos|kwaad|ergernis", "en": r"angry|anger|cross|frustration"}

# Robot talk and defending, on top of the shared list.
ROBOT = [
    r"wordt verwerkt",
    r"dank(t)? u (wel )?voor uw geduld",
    r"danken u voor uw geduld",
    r"is being processed",
    r"thank you for your patience",
    r"\bmaar\b.*\b(regels|voorwaarden)\b",
    r"\bbut\b.*\b(rules|terms)\b",
]
APOLOGY = {"nl": r"spijt|excuses|sorry", "en": r"sorry|apologi[sz]e|apologies"}

NO_QUESTION = {
    "acknowledge",
    "noted",
    "changed",
    "answer_question",
    "language_switched",
    "closing",
    "emergency",
    "route_dispute",
    "route_nuisance",
    "route_repair_request",
    "route_question",
    "compliment",
    "receipt_after_handoff",
}
ONE_QUESTION = {"question", "summary", "ask_correction", "ask_email", "route_choice"}
ROUTES = ("route_dispute", "route_nuisance", "route_repair_request", "route_question")
# The ways a person may reach the customer, with what the message then names.
REACHES = (("phone", "06-12345678"), ("email", "anna@example.nl"), ("channel", None),
           ("conversation", None))  # fmt: skip
HOW = {
    "nl": {"phone": "06-12345678", "email": "anna@example.nl", "channel": "per e-mail",
           "conversation": "via dit gesprek"},
    "en": {"phone": "06-12345678", "email": "anna@example.nl", "channel": "by email",
           "conversation": "in this chat"},
}  # fmt: skip
LISTED = (
    [{"slot": "when", "value": "2026-11-17"}],
    [{"slot": "phone", "value": "06-12345678"}, {"slot": "address", "value": "Laan 1"}],
)
CONTRACT = NO_QUESTION | ONE_QUESTION | {"agreement"}


def base(variant: int, anger: int, category: str | None) -> dict[str, Any]:
    return {
        "organisation": ORGANISATION,
        "case_number": CASE,
        "variant": variant,
        "anger": anger,
        "category": category,
        "intent": "complaint",
        "emergency_phone": PHONE,
    }


def extras(language: str, name: str) -> Iterator[dict[str, Any]]:
    """Every combination of the template's own inputs that changes its text."""
    if name == "acknowledge":
        for key_sentence, explicit in itertools.product(KEY_SENTENCES[language], (True, False)):
            yield {"key_sentence": key_sentence, "explicit": explicit}
        # What bot.dialogue.acknowledgement adds: the topic, the product, what it cost.
        for topic, product, impacts in itertools.product(
            TOPICS, ("", PRODUCTS[language]), IMPACT_SETS
        ):
            yield {
                "key_sentence": "",
                "explicit": True,
                "topic": topic,
                "product": product,
                "impacts": impacts,
                "amount": "9.99" if "money" in impacts else "",
                "apology": topic not in ("policy", "nuisance", "question", "dispute"),
            }
    elif name == "question":
        for slot, short, one_off in itertools.product(QUESTION_SLOTS, (False, True), (True, False)):
            yield {"slot": slot, "short": short, "one_off": one_off}
    elif name == "summary":
        for gist, facts, outcome, changed in itertools.product(
            GISTS[language],
            FACT_SETS,
            (None, "", "Een nieuwe afspraak?"),
            ([], ["when"]),
        ):
            yield {"gist": gist, "facts": facts, "outcome": outcome, "changed": changed}
    elif name in ("agreement", "answer_question", *ROUTES):
        day = "woensdag 25 november" if language == "nl" else "Wednesday 25 November"
        own: list[dict[str, Any]] = [{}]
        if name == "agreement":
            own = [
                {"offer_email": offer, "requested": requested, "email": email}
                for offer, requested, email in itertools.product(
                    (True, False), (False, True), (None, "anna@example.nl")
                )
                if not (offer and email)  # no offer when the address is known
            ]
        elif name == "answer_question":
            own = [{"about": about, "asking": "when"} for about in ("when", "who", "why", "other")]
        for handler_name, (reach, reach_to), extra in itertools.product(
            (None, "Sanne"), REACHES, own
        ):
            yield {
                "promise_day": day,
                "promise_time": "17:00",
                "handler_name": handler_name,
                "reach": reach,
                "reach_to": reach_to,
                **extra,
            }
    elif name in ("noted", "changed"):
        for facts in LISTED:
            yield {"facts": facts}
    elif name == "route_choice":
        for first in ("repair_request", "question"):
            yield {"routes": [first, "complaint"]}
    elif name == "closing":
        for consent_email in (True, False):
            yield {"consent_email": consent_email}
    elif name == "emergency":
        for phone, kind in itertools.product(("", PHONE), (None, *EMERGENCY_KINDS)):
            yield {"emergency_phone": phone, "emergency_kind": kind}
    elif name == "receipt_after_handoff":
        for handler_name in (None, "Sanne"):
            yield {"handler_name": handler_name}
    else:
        yield {}


@cache
def rendered(language: str, name: str) -> tuple[tuple[dict[str, Any], str], ...]:
    """Every render of a template once per run; several tests read them."""
    out = []
    for extra in extras(language, name):
        # With a topic from the acknowledgement, the category no longer changes the text.
        categories = (None,) if "topic" in extra else CATEGORIES
        for number, anger, category in itertools.product(VARIANTS, ANGERS, categories):
            context = base(number, anger, category) | extra
            out.append((context, render_message(language, name, **context)))
    return tuple(out)


def renders(language: str, name: str) -> Iterator[tuple[dict[str, Any], str]]:
    yield from rendered(language, name)


def template_names(language: str) -> set[str]:
    folder = templates_dir() / "messages" / language
    return {path.name.removesuffix(".txt.j2") for path in folder.glob("*.txt.j2")}


def expected_questions(name: str, context: dict[str, Any]) -> int:
    if name == "agreement":
        return 1 if context["offer_email"] else 0
    return 1 if name in ONE_QUESTION else 0


def test_both_languages_have_the_same_templates() -> None:
    assert template_names("nl") == template_names("en")


def test_every_contract_template_exists() -> None:
    for language in LANGUAGES:
        assert template_names(language) >= CONTRACT, language


@pytest.mark.parametrize("language", LANGUAGES)
@pytest.mark.parametrize("name", sorted(CONTRACT))
def test_message_keeps_to_the_wording_contract(language: str, name: str) -> None:
    for context, text in renders(language, name):
        where = f"{language}/{name} {context}: {text!r}"
        assert text, where
        for marker in ("{{", "{%", "{#", "}}", "%}"):
            assert marker not in text, where
        assert text.count("?") == expected_questions(name, context), where
        for pattern in [*UNHELPFUL, *ROBOT]:
            assert not re.search(pattern, text, re.IGNORECASE), f"{pattern} in {where}"
        if language == "nl":
            assert not re.search(INFORMAL_DUTCH, text, re.IGNORECASE), where
        for sloppy in ("  ", " .", " ,", " ;", "..", ".,"):
            assert sloppy not in text, where
        assert all(line == line.strip() for line in text.splitlines()), where
        assert "None" not in text, where


@pytest.mark.parametrize("language", LANGUAGES)
def test_acknowledge_varies_and_apologises_only_where_we_went_wrong(language: str) -> None:
    for category in CATEGORIES:
        texts = {
            render_message(
                language,
                "acknowledge",
                **base(variant, 0, category),
                key_sentence="",
                explicit=True,
            )
            for variant in VARIANTS
        }
        assert len(texts) >= 3, (category, texts)
        for text in texts:
            apologises = re.search(APOLOGY[language], text, re.IGNORECASE)
            assert bool(apologises) == (category != "policy"), (category, text)


@pytest.mark.parametrize("language", LANGUAGES)
def test_acknowledge_takes_anger_seriously_without_another_apology(language: str) -> None:
    for variant, category in itertools.product(VARIANTS, CATEGORIES):
        context = base(variant, 0, category) | {"key_sentence": "", "explicit": True}
        calm = render_message(language, "acknowledge", **context)
        angry = render_message(language, "acknowledge", **(context | {"anger": 2}))
        assert len(angry) > len(calm), angry
        apologies = [
            len(re.findall(APOLOGY[language], text, re.IGNORECASE)) for text in (calm, angry)
        ]
        assert apologies[0] == apologies[1], angry


def acknowledgements(language: str) -> Iterator[tuple[dict[str, Any], str]]:
    """The acknowledge renders with what bot.dialogue.acknowledgement puts in the context."""
    for context, text in renders(language, "acknowledge"):
        if "topic" in context:
            yield context, text


@pytest.mark.parametrize("language", LANGUAGES)
def test_acknowledge_names_the_product_and_what_it_cost(language: str) -> None:
    for context, text in acknowledgements(language):
        # Conduct, a rule and the neighbours are not about a thing.
        if context["product"] and context["topic"] not in ("staff_conduct", "policy", "nuisance"):
            assert context["product"] in text, text
        for impact in context["impacts"]:
            assert re.search(IMPACT_WORDS[language][impact], text, re.IGNORECASE), (impact, text)


@pytest.mark.parametrize("language", LANGUAGES)
def test_acknowledge_apologises_only_where_the_context_says_so(language: str) -> None:
    for context, text in acknowledgements(language):
        apologises = bool(re.search(APOLOGY[language], text, re.IGNORECASE))
        assert apologises == context["apology"], text


@pytest.mark.parametrize("language", LANGUAGES)
def test_acknowledge_names_the_feeling_only_when_angry(language: str) -> None:
    for context, text in acknowledgements(language):
        named = bool(re.search(FEELING[language], text, re.IGNORECASE))
        assert named == (context["anger"] >= 2), text


def sentences_of(text: str) -> set[str]:
    return {part for part in re.split(r"(?<=[.!])\s+", text) if part}


@pytest.mark.parametrize("language", LANGUAGES)
@pytest.mark.parametrize("anger", [0, 2])
def test_two_cases_in_a_row_share_no_sentence(language: str, anger: int) -> None:
    """`variant` moves one step per case (bot.templates.variant): neighbours differ."""
    for topic, impacts in itertools.product(TOPICS, IMPACT_SETS):
        context = base(0, anger, None) | {
            "key_sentence": "",
            "explicit": True,
            "topic": topic,
            "product": PRODUCTS[language],
            "impacts": impacts,
            "amount": "9.99",
            "apology": True,
        }
        for case_id in range(12):
            first, second = (
                render_message(
                    language,
                    "acknowledge",
                    **(context | {"variant": templates.variant(n, "acknowledge")}),
                )
                for n in (case_id, case_id + 1)
            )
            assert not sentences_of(first) & sentences_of(second), (first, second)


@pytest.mark.parametrize("language", LANGUAGES)
@pytest.mark.parametrize("name", ["acknowledge", "closing"])
def test_at_least_six_openings_and_six_closings(language: str, name: str) -> None:
    openings, closings = set(), set()
    for number in range(42):
        context = base(number, 0, "delivery") | {
            "key_sentence": "",
            "explicit": True,
            "consent_email": False,
        }
        text = render_message(language, name, **context)
        parts = re.split(r"(?<=[.!])\s+", text)
        openings.add(parts[0])
        closings.add(parts[-1])
    assert len(openings) >= 6, openings
    assert len(closings) >= 6, closings


@pytest.mark.parametrize("language", LANGUAGES)
def test_acknowledge_quotes_the_customer_only_when_it_reads_well(language: str) -> None:
    quoted = set()
    for context, text in renders(language, "acknowledge"):
        sentence = context["key_sentence"].rstrip(".!?")
        if sentence and sentence in text:
            quoted.add(context["key_sentence"])
    assert quoted == {KEY_SENTENCES[language][1]}


@pytest.mark.parametrize("language", LANGUAGES)
def test_emergency_gives_112_and_the_emergency_line(language: str) -> None:
    for context, text in renders(language, "emergency"):
        assert "112" in text, text
        assert CASE in text, text
        if context["emergency_phone"]:
            assert PHONE in text, text
        else:
            assert PHONE not in text, text
            assert ("storingsnummer" if language == "nl" else "emergency line") in text, text


# Words only the instruction for one kind of danger may use.
KIND_WORDS = {
    "nl": {"gas": "lichtschakelaars", "water": "hoofdkraan", "fire": "geen lift"},
    "en": {"gas": "light switches", "water": "main water tap", "fire": "do not use a lift"},
}


@pytest.mark.parametrize("language", LANGUAGES)
def test_emergency_instruction_fits_the_danger(language: str) -> None:
    for context, text in renders(language, "emergency"):
        for kind, words in KIND_WORDS[language].items():
            assert (words in text) == (context["emergency_kind"] == kind), text


@pytest.mark.parametrize("language", LANGUAGES)
def test_question_offers_dont_know_in_some_variants_of_fact_slots(language: str) -> None:
    marker = "dan is dat ook goed" if language == "nl" else "that's fine"
    for slot in QUESTION_SLOTS:
        texts = {
            render_message(
                language, "question", **base(variant, 0, None), slot=slot, short=False, one_off=True
            )
            for variant in VARIANTS
        }
        assert len(texts) >= 2, slot
        if slot in ("order_number", "invoice_number", "when", "product", "who", "amount"):
            assert any(marker in text for text in texts), slot
        if slot == "outcome":
            assert not any(marker in text for text in texts), slot


@pytest.mark.parametrize("language", LANGUAGES)
def test_summary_lists_the_facts_and_ends_with_the_check(language: str) -> None:
    check = "Klopt dit?" if language == "nl" else "Is this right?"
    corrected = "(aangepast)" if language == "nl" else "(changed)"
    for context, text in renders(language, "summary"):
        assert text.endswith(check), text
        for fact in context["facts"]:
            label = FACT_LABELS[language][fact["slot"]]
            assert f"- {label}: {fact['value'].replace('?', '')}" in text, text
        marked = any(fact["slot"] in context["changed"] for fact in context["facts"])
        assert (corrected in text) == marked, text


def test_summary_labels_every_fact_kind_the_dialogue_keeps() -> None:
    assert set(FACT_SLOTS) <= set(recap.FACT_ORDER)


@pytest.mark.parametrize("language", LANGUAGES)
def test_agreement_says_who_when_and_how(language: str) -> None:
    for context, text in renders(language, "agreement"):
        assert context["promise_day"] in text, text
        assert context["promise_time"] in text, text
        assert CASE in text, text
        if context["handler_name"]:
            assert context["handler_name"] in text, text
        else:
            assert ("een collega van " if language == "nl" else "a colleague from ") + (
                ORGANISATION
            ) in text, text
        assert HOW[language][context["reach"]] in text, text
        if context["offer_email"]:
            assert text.endswith("?"), text
        elif context["email"]:
            assert context["email"] in text, text
        elif context["reach"] == "channel":
            assert ("per e-mail" if language == "nl" else "by email") in text, text
        else:
            assert ("in het gesprek" if language == "nl" else "in the chat") in text, text


@pytest.mark.parametrize("language", LANGUAGES)
@pytest.mark.parametrize("name", ROUTES)
def test_every_route_that_promises_a_person_names_when_and_how(language: str, name: str) -> None:
    for context, text in renders(language, name):
        assert context["promise_day"] in text, text
        assert context["promise_time"] in text, text
        assert HOW[language][context["reach"]] in text, text


@pytest.mark.parametrize("language", LANGUAGES)
def test_a_question_back_is_answered_from_what_the_bot_knows(language: str) -> None:
    because = {"nl": "omdat|zodat", "en": "because|so that"}[language]
    for context, text in renders(language, "answer_question"):
        if context["about"] in ("when", "who", "other"):
            assert context["promise_day"] in text, text
            assert context["promise_time"] in text, text
        if context["about"] == "why":
            assert re.search(because, text), text
        if context["about"] == "who":
            assert context["handler_name"] or ("collega" if language == "nl" else "colleague") in (
                text
            ), text


@pytest.mark.parametrize("language", LANGUAGES)
@pytest.mark.parametrize(
    "name",
    ["closing", "route_repair_request", "receipt_after_handoff"],
)
def test_case_number_is_mentioned(language: str, name: str) -> None:
    for _, text in renders(language, name):
        assert CASE in text, text


@pytest.mark.parametrize("language", LANGUAGES)
def test_closing_varies_and_mentions_email_only_with_consent(language: str) -> None:
    mail = "e-mail" if language == "nl" else "email"
    texts = set()
    for context, text in renders(language, "closing"):
        texts.add(text)
        assert (mail in text) == context["consent_email"], text
    assert len(texts) >= 6


@pytest.mark.parametrize("language", LANGUAGES)
def test_receipt_names_the_handler_or_a_colleague(language: str) -> None:
    for context, text in renders(language, "receipt_after_handoff"):
        if context["handler_name"]:
            assert context["handler_name"] in text, text
        else:
            assert ("collega" if language == "nl" else "colleague") in text, text
