"""Simulated customers for measuring the conversation (issue 15), written before the dialogue
changes. Each has its own facts and the behaviours real customers show; a third is held out:
run and reported, never tuned on. The held-out marks were chosen before the first run, spread
over languages, routes and behaviours."""

from __future__ import annotations

from dataclasses import dataclass

# What a customer may do besides answering plainly.
BEHAVIOURS = frozenset(
    {
        "out_of_order",  # answers a question with another fact first
        "all_at_once",  # the first message holds every fact
        "dont_know",  # "weet ik niet" to the first question about a fact
        "asks_back",  # asks a question back instead of answering
        "correction",  # corrects an earlier fact together with an answer
        "switch_language",  # asks to continue in English
        "typos",
        "caps",
        "long_email",  # a long email with a signature
    }
)


@dataclass(frozen=True)
class Correction:
    slot: str
    wrong: str  # as the story first said it
    right: str
    text: str  # what the customer writes


@dataclass(frozen=True)
class Persona:
    key: str
    language: str
    route: str  # complaint | emergency | dispute | nuisance | repair_request | question
    topic: str
    story: str  # the first message
    # Facts keyed by the slot they belong under: name, address, postcode, phone, email,
    # order_number, invoice_number, customer_number, when, outcome, amount, product, who.
    facts: dict[str, str]
    behaviours: frozenset[str] = frozenset()
    channel: str = "chat"  # chat | email
    held_out: bool = False
    ask_back: str | None = None  # the question asked back
    ask_back_kind: str | None = None  # when | who | why
    correction: Correction | None = None


# Chosen before the first run: 16 of 45, both languages, every route, every behaviour.
HELD_OUT = frozenset(
    {
        "nl-weet-niet",
        "nl-wie-belt",
        "nl-correctie-nummer",
        "nl-mail-monteur",
        "nl-telefoon-en-mail",
        "nl-caps",
        "nl-rook",
        "nl-advocaat",
        "nl-hond",
        "nl-openingstijden",
        "nl-switch-laat",
        "en-wednesday",
        "en-window",
        "en-everything",
        "en-tap",
        "en-noise",
    }
)


def _p(
    key: str,
    language: str,
    route: str,
    topic: str,
    story: str,
    *,
    facts: dict[str, str],
    b: tuple[str, ...] = (),
    channel: str = "chat",
    ask_back: str | None = None,
    ask_back_kind: str | None = None,
    correction: Correction | None = None,
) -> Persona:
    behaviours = frozenset(b)
    assert behaviours <= BEHAVIOURS, behaviours - BEHAVIOURS
    return Persona(
        key,
        language,
        route,
        topic,
        story,
        facts,
        behaviours,
        channel=channel,
        held_out=key in HELD_OUT,
        ask_back=ask_back,
        ask_back_kind=ask_back_kind,
        correction=correction,
    )


PERSONAS: tuple[Persona, ...] = (
    # ---- Dutch complaints ----------------------------------------------------------------
    _p(
        "nl-wasmachine-laat",
        "nl",
        "complaint",
        "delivery",
        "Mijn wasmachine met bestelnummer 558210 is nog steeds niet geleverd.",
        facts={
            "order_number": "558210",
            "when": "vorige week vrijdag",
            "outcome": "een nieuwe leverdatum deze week",
            "phone": "06-21436587",
            "name": "Marieke de Vries",
        },
    ),
    _p(
        "nl-alles-ineens",
        "nl",
        "complaint",
        "billing",
        "Goedemiddag, ik ben Henk Jansen, klantnummer 40771. Op factuur 2026-3312 staat 189 euro "
        "te veel. Ik wil graag een creditnota. Bel mij op 0612398745 of mail "
        "henk.jansen@example.nl.",
        facts={
            "name": "Henk Jansen",
            "customer_number": "40771",
            "invoice_number": "2026-3312",
            "amount": "189 euro",
            "outcome": "een creditnota",
            "phone": "0612398745",
            "email": "henk.jansen@example.nl",
        },
        b=("all_at_once",),
    ),
    _p(
        "nl-monteur-niet",
        "nl",
        "complaint",
        "service_execution",
        "Ik had dinsdag vrij genomen voor de monteur en er is niemand gekomen.",
        facts={
            "when": "dinsdag",
            "outcome": "een nieuwe afspraak op zaterdag",
            "phone": "06-55443322",
            "address": "Lindelaan 14",
            "postcode": "3521 KL",
        },
        b=("out_of_order",),
    ),
    _p(
        "nl-weet-niet",
        "nl",
        "complaint",
        "delivery",
        "Het pakket dat ik heb besteld is beschadigd aangekomen.",
        facts={"outcome": "mijn geld terug", "phone": "0687654321", "when": "gisteren"},
        b=("dont_know",),
    ),
    _p(
        "nl-wanneer-iemand",
        "nl",
        "complaint",
        "communication",
        "Ik zou teruggebeld worden over mijn lekkende dakgoot maar niemand belt.",
        facts={
            "when": "sinds maandag",
            "outcome": "dat iemand mij vandaag terugbelt",
            "phone": "06-11223344",
        },
        b=("asks_back",),
        ask_back="Wanneer komt er dan iemand?",
        ask_back_kind="when",
    ),
    _p(
        "nl-woensdag",
        "nl",
        "complaint",
        "service_execution",
        "De schilder heeft dinsdag de verkeerde kleur op de voordeur gezet.",
        facts={
            "when": "woensdag",
            "outcome": "dat de deur opnieuw geschilderd wordt",
            "phone": "0633445566",
        },
        b=("correction",),
        correction=Correction(
            "when", "dinsdag", "woensdag", "O wacht, het was woensdag, niet dinsdag."
        ),
    ),
    _p(
        "nl-engels",
        "nl",
        "complaint",
        "product",
        "Mijn nieuwe stofzuiger doet het na twee dagen al niet meer.",
        facts={
            "product": "stofzuiger",
            "when": "twee dagen geleden",
            "outcome": "a replacement vacuum cleaner",
            "phone": "0644556677",
        },
        b=("switch_language",),
    ),
    _p(
        "nl-typo",
        "nl",
        "complaint",
        "billing",
        "ik heb een factuur gekregn die niet klopt, er is dubbel afgeschreve",
        facts={
            "invoice_number": "F-88213",
            "amount": "64 euro",
            "outcome": "het dubbele bedrag terug",
            "phone": "0611122233",
        },
        b=("typos",),
    ),
    _p(
        "nl-caps",
        "nl",
        "complaint",
        "staff_conduct",
        "DIT IS BELACHELIJK! UW MEDEWERKER HEEFT MIJ AFGELOPEN ZATERDAG UITGESCHOLDEN IN DE "
        "WINKEL!",
        facts={
            "when": "afgelopen zaterdag",
            "who": "de man bij de kassa",
            "outcome": "excuses van de winkelmanager",
            "email": "p.bakker@example.nl",
        },
        b=("caps",),
    ),
    _p(
        "nl-lange-mail",
        "nl",
        "complaint",
        "delivery",
        "Geachte heer, mevrouw,\n\nOp 3 november heb ik bij u een eettafel besteld, bestelnummer "
        "771204. De levering was toegezegd voor 20 november, maar er is niets gekomen en niemand "
        "heeft mij laten weten waarom. Ik heb die dag vrij genomen en de hele dag thuis gezeten. "
        "Ik verwacht dat de tafel deze week alsnog wordt geleverd en dat u de bezorgkosten "
        "terugbetaalt.\n\nMet vriendelijke groet,\n\nAnneke Visser\nKerkstraat 22\n1234 AB "
        "Utrecht\n06-98765432",
        facts={
            "order_number": "771204",
            "when": "20 november",
            "name": "Anneke Visser",
            "address": "Kerkstraat 22",
            "postcode": "1234 AB",
            "phone": "06-98765432",
            "outcome": "dat de tafel deze week alsnog wordt geleverd",
            "email": "anneke.visser@example.nl",
        },
        b=("long_email", "all_at_once"),
        channel="email",
    ),
    _p(
        "nl-wie-belt",
        "nl",
        "complaint",
        "billing",
        "Ik betaal al maanden te veel voorschot voor mijn energie.",
        facts={
            "customer_number": "K-20931",
            "amount": "45 euro per maand",
            "outcome": "een lager voorschot",
            "phone": "06-99887766",
        },
        b=("asks_back",),
        ask_back="Wie gaat mij dan bellen?",
        ask_back_kind="who",
    ),
    _p(
        "nl-adres-als-wens",
        "nl",
        "complaint",
        "product",
        "De koelkast die ik vorige maand kocht lekt water.",
        facts={
            "product": "koelkast",
            "address": "Dorpsweg 7",
            "postcode": "7411 GT",
            "outcome": "een monteur die hem komt maken",
            "phone": "0655667788",
        },
        b=("out_of_order",),
    ),
    _p(
        "nl-waarom",
        "nl",
        "complaint",
        "communication",
        "Ik heb drie keer gemaild over mijn verhuizing en nooit antwoord gekregen.",
        facts={
            "when": "sinds 2 oktober",
            "outcome": "een antwoord op mijn mails",
            "email": "j.smit@example.nl",
            "customer_number": "55120",
        },
        b=("asks_back",),
        ask_back="Waarom wilt u dat weten?",
        ask_back_kind="why",
    ),
    _p(
        "nl-ruzie-kassa",
        "nl",
        "complaint",
        "staff_conduct",
        "Vorige zaterdag maakte de caissière een grove opmerking over mijn kinderen.",
        facts={
            "when": "vorige zaterdag",
            "who": "de caissière",
            "outcome": "dat dit met haar besproken wordt",
            "phone": "06-12121212",
        },
        b=("dont_know",),
    ),
    _p(
        "nl-correctie-nummer",
        "nl",
        "complaint",
        "delivery",
        "Bestelling 330198 is kapot aangekomen, de lamp is gebroken.",
        facts={
            "order_number": "330199",
            "product": "lamp",
            "outcome": "een nieuwe lamp",
            "phone": "0677889900",
        },
        b=("correction",),
        correction=Correction(
            "order_number", "330198", "330199", "Sorry, het bestelnummer is 330199, niet 330198."
        ),
    ),
    _p(
        "nl-ruilbeleid",
        "nl",
        "complaint",
        "policy",
        "Ik vind het belachelijk dat ik een ongedragen jas niet mag ruilen zonder bon.",
        facts={
            "product": "jas",
            "outcome": "dat ik de jas toch mag ruilen",
            "phone": "06-43434343",
            "name": "Fatima El Amrani",
        },
    ),
    _p(
        "nl-telefoon-en-mail",
        "nl",
        "complaint",
        "billing",
        "Er is twee keer 59,95 euro afgeschreven voor hetzelfde abonnement.",
        facts={
            "amount": "59,95 euro",
            "outcome": "het dubbele bedrag terug",
            "phone": "06-24682468",
            "email": "kees@example.nl",
            "when": "1 december",
        },
    ),
    _p(
        "nl-mail-monteur",
        "nl",
        "complaint",
        "service_execution",
        "Beste klantenservice,\n\nDe monteur die op 12 november de cv-ketel kwam onderhouden, "
        "heeft een gat in de muur achtergelaten en de rommel niet opgeruimd. Ik wil dat dit "
        "hersteld wordt.\n\nGroet,\nPieter Mulder\nBeukenlaan 3, 2501 CD Den Haag\n0701234567",
        facts={
            "when": "12 november",
            "outcome": "dat dit hersteld wordt",
            "name": "Pieter Mulder",
            "address": "Beukenlaan 3",
            "postcode": "2501 CD",
            "phone": "0701234567",
            "email": "pieter.mulder@example.nl",
        },
        b=("long_email",),
        channel="email",
    ),
    # ---- Dutch other routes ----------------------------------------------------------------
    _p(
        "nl-switch-laat",
        "nl",
        "complaint",
        "delivery",
        "Mijn bestelling 66120 had maandag moeten komen en is er nog niet.",
        facts={
            "order_number": "66120",
            "when": "maandag",
            "outcome": "delivery before Friday",
            "email": "l.chen@example.com",
        },
        b=("switch_language",),
    ),
    _p(
        "nl-gas",
        "nl",
        "emergency",
        "gas",
        "Ik ruik gas in het trappenhuis van Molenstraat 5!",
        facts={"address": "Molenstraat 5"},
    ),
    _p(
        "nl-water",
        "nl",
        "emergency",
        "water",
        "HELP het water stroomt door het plafond naar beneden!!",
        facts={},
        b=("caps",),
    ),
    _p(
        "nl-rook",
        "nl",
        "emergency",
        "fire",
        "Er komt rook uit de meterkast, wat moet ik doen?",
        facts={},
    ),
    _p(
        "nl-geschil",
        "nl",
        "dispute",
        "billing",
        "Ik ben het niet eens met de eindafrekening 2026-0456 en stap naar de geschillencommissie.",
        facts={"invoice_number": "2026-0456"},
    ),
    _p(
        "nl-advocaat",
        "nl",
        "dispute",
        "billing",
        "Mijn advocaat gaat u aansprakelijk stellen voor de schade aan mijn vloer.",
        facts={},
    ),
    _p(
        "nl-buren",
        "nl",
        "nuisance",
        "noise",
        "De buren op nummer 12 maken elke nacht herrie tot drie uur, we slapen slecht.",
        facts={},
    ),
    _p(
        "nl-hond",
        "nl",
        "nuisance",
        "noise",
        "de hond van de bovenburen blaft de hele dag, ik wordt er gek van",
        facts={},
        b=("typos",),
    ),
    _p(
        "nl-kraan",
        "nl",
        "repair_request",
        "repair",
        "De kraan in de keuken lekt. Kunt u een monteur sturen naar Parkweg 9?",
        facts={"address": "Parkweg 9"},
    ),
    _p(
        "nl-deur",
        "nl",
        "repair_request",
        "repair",
        "Het slot van mijn voordeur is kapot, wanneer kan er iemand komen?",
        facts={},
        b=("asks_back",),
        ask_back="wanneer kan er iemand komen?",
        ask_back_kind="when",
    ),
    _p(
        "nl-termijnen",
        "nl",
        "question",
        "payment",
        "Mag ik de huur van december in twee termijnen betalen?",
        facts={},
    ),
    _p(
        "nl-openingstijden",
        "nl",
        "question",
        "opening_hours",
        "Hoe laat is uw kantoor op zaterdag open?",
        facts={},
    ),
    # ---- English -------------------------------------------------------------------------
    _p(
        "en-invoice",
        "en",
        "complaint",
        "billing",
        "My invoice 2026-118 charges me 240 euro instead of 120 euro.",
        facts={
            "invoice_number": "2026-118",
            "amount": "240 euro",
            "outcome": "a corrected invoice",
            "email": "anna@example.com",
        },
    ),
    _p(
        "en-everything",
        "en",
        "complaint",
        "delivery",
        "Hi, I'm Tom Walker, order 99321 never arrived. I'd like a refund. You can reach me on "
        "+31 6 12345678 or tom.walker@example.com.",
        facts={
            "name": "Tom Walker",
            "order_number": "99321",
            "outcome": "a refund",
            "phone": "+31 6 12345678",
            "email": "tom.walker@example.com",
        },
        b=("all_at_once",),
    ),
    _p(
        "en-who-calls",
        "en",
        "complaint",
        "communication",
        "You promised to call me back about my broken heating and nobody did.",
        facts={
            "when": "last Monday",
            "outcome": "someone to call me today",
            "phone": "+31 6 87654321",
        },
        b=("asks_back",),
        ask_back="And who will call me?",
        ask_back_kind="who",
    ),
    _p(
        "en-wednesday",
        "en",
        "complaint",
        "service_execution",
        "The cleaners skipped our office on Tuesday.",
        facts={
            "when": "Wednesday",
            "outcome": "a free extra cleaning",
            "email": "office@example.com",
        },
        b=("correction",),
        correction=Correction(
            "when", "Tuesday", "Wednesday", "Actually, it was Wednesday, not Tuesday."
        ),
    ),
    _p(
        "en-dont-know",
        "en",
        "complaint",
        "product",
        "The kettle I bought from you stopped working after a week.",
        facts={"product": "kettle", "outcome": "a new kettle", "phone": "+31 6 11112222"},
        b=("dont_know",),
    ),
    _p(
        "en-caps",
        "en",
        "complaint",
        "delivery",
        "THIS IS RIDICULOUS!!! MY SOFA ARRIVED WITH A TORN CUSHION AND NOBODY ANSWERS THE PHONE",
        facts={"product": "sofa", "outcome": "a new cushion", "phone": "+31 6 33334444"},
        b=("caps", "out_of_order"),
    ),
    _p(
        "en-long-email",
        "en",
        "complaint",
        "billing",
        "Dear Sir or Madam,\n\nI am writing about invoice INV-7781 dated 2 November. You charged "
        "me 89 euro for a service visit that never took place: nobody came on 28 October. I "
        "would like the charge cancelled.\n\nKind regards,\n\nSarah Connor\n14 Baker Street\n"
        "1011 AA Amsterdam\n+31 20 5551234",
        facts={
            "invoice_number": "INV-7781",
            "amount": "89 euro",
            "when": "28 October",
            "outcome": "the charge cancelled",
            "name": "Sarah Connor",
            "address": "14 Baker Street",
            "postcode": "1011 AA",
            "phone": "+31 20 5551234",
            "email": "sarah.connor@example.com",
        },
        b=("long_email",),
        channel="email",
    ),
    _p(
        "en-typos",
        "en",
        "complaint",
        "delivery",
        "my parcle was deliverd to the wrong adress and now its gone",
        facts={"order_number": "A55120", "outcome": "my money back", "phone": "+31 6 90909090"},
        b=("typos",),
    ),
    _p(
        "en-window",
        "en",
        "complaint",
        "service_execution",
        "Your fitter replaced my kitchen window last Thursday and now it lets the rain in.",
        facts={
            "when": "last Thursday",
            "outcome": "someone to fix the window this week",
            "address": "22 Canal Road",
            "phone": "+31 6 56565656",
        },
        b=("out_of_order",),
    ),
    _p("en-gas", "en", "emergency", "gas", "I smell gas in my kitchen!", facts={}),
    _p(
        "en-lawyer",
        "en",
        "dispute",
        "billing",
        "I object to this bill and my lawyer will take legal action.",
        facts={},
    ),
    _p(
        "en-noise",
        "en",
        "nuisance",
        "noise",
        "The neighbours play loud music every night, we cannot sleep.",
        facts={},
    ),
    _p(
        "en-tap",
        "en",
        "repair_request",
        "repair",
        "The tap in the bathroom is leaking, could you send someone to fix it?",
        facts={},
    ),
    _p(
        "en-instalments",
        "en",
        "question",
        "payment",
        "Can I pay my rent in two instalments this month?",
        facts={},
    ),
    _p("en-hours", "en", "question", "opening_hours", "What are your opening hours?", facts={}),
)
