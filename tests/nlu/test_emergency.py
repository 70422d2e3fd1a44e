"""The emergency safety net: every sign of danger is an emergency of the right kind, whatever
the model says; danger words in messages about something else are not."""

from __future__ import annotations

import json
from datetime import date
from pathlib import Path

import pytest

from bot.nlu import understand
from bot.nlu.emergency import KIND_PRIORITY, danger_kinds, shows_danger
from bot.nlu.normalize import fold

TODAY = date(2026, 3, 20)

# (message, the kind whose instruction the customer must get). Written for this test, in the
# ways customers write in a hurry: no punctuation, typos, caps, English from non-native writers.
EMERGENCIES: list[tuple[str, str]] = [
    # gas
    ("Ik ruik gas in de keuken!", "gas"),
    ("het stinkt hier naar gas in het trappenhuis", "gas"),
    ("Er hangt een sterke gaslucht in de hal, wat moet ik doen", "gas"),
    ("In de keuken ruikt het naar rotte eieren sinds vanochtend", "gas"),
    ("GASLEK bij de meter!!!", "gas"),
    ("I smell gas near the boiler", "gas"),
    ("There's a strong smell of gas in the stairwell", "gas"),
    ("kitchen smells like rotten eggs, is that dangerous?", "gas"),
    ("Sinds de monteur de kookplaat heeft aangesloten ruik ik iets zwavelachtigs", "gas"),
    ("zwavelige lucht bij de meterkast, niet pluis", "gas"),
    ("Het ruikt hier naar rotte-eierenlucht in de gang", "gas"),
    ("there is a sulphury whiff around the new hob since this afternoon", "gas"),
    ("gas leak in flat 12, the whole corridor stinks", "gas"),
    ("we rook gas toen we thuiskwamen en zijn naar buiten gegaan", "gas"),
    # carbon monoxide
    ("De koolmonoxidemelder gaat af en mijn man is misselijk", "co"),
    ("CO-melder piept constant en ik heb hoofdpijn", "co"),
    ("Sinds de geiser aan staat ben ik duizelig en misselijk", "co"),
    ("The carbon monoxide alarm is going off and my daughter feels sick", "co"),
    ("co alarm went off twice tonight, we all have headaches", "co"),
    ("Headache and dizzy every time the boiler runs", "co"),
    # fire and smoke
    ("De droger heeft vlam gevat, iedereen staat buiten", "fire"),
    ("BRAND in de meterkast!!", "fire"),
    ("Er is brand in de container naast de flat", "fire"),
    ("de keuken staat vol rook", "fire"),
    ("Er komt rook uit de wasmachine", "fire"),
    ("Rookmelder gaat af en het ruikt verbrand op de galerij", "fire"),
    ("het smeult achter de kachel, de brandweer is gebeld", "fire"),
    ("Vlammen uit de afzuigkap, wij zijn naar buiten", "fire"),
    ("My dryer caught fire and everyone is outside now", "fire"),
    ("There is smoke coming from the fuse box", "fire"),
    ("The flat below is on fire, smoke everywhere in the hallway", "fire"),
    ("Smoke alarm going off and the kitchen is full of smoke", "fire"),
    ("flames coming out of the oven!!", "fire"),
    ("strong burning smell from the heat pump, what do I do", "fire"),
    # electrical
    ("Het stopcontact in de slaapkamer vonkt en er komt een brandlucht af", "electrical"),
    ("Er hangen losse draden uit het plafond in de badkamer", "electrical"),
    ("Ik kreeg een schok toen ik de kraan aanraakte", "electrical"),
    ("de meterkast knettert en wordt heet", "electrical"),
    ("Kortsluiting in de keuken, alles is uitgevallen", "electrical"),
    ("Water loopt langs de lamp in de gang", "water"),
    ("The socket in the hallway is sparking", "electrical"),
    ("Exposed wires hanging from the ceiling after your workmen left", "electrical"),
    ("I got an electric shock from the light switch", "electrical"),
    ("Water is dripping onto the fuse box", "water"),
    # water
    ("Er stroomt water door het plafond!", "water"),
    ("leiding gesprongen in de kelder, alles staat blank", "water"),
    ("het water gutst uit de muur en ik krijg de hoofdkraan niet dicht", "water"),
    ("De badkamer van de bovenburen lekt door ons plafond, het komt met bakken naar beneden",
     "water"),
    ("onze benedenverdieping staat onder water", "water"),
    ("Water is pouring through the ceiling!", "water"),
    ("A pipe burst in the loft and the landing is flooded", "water"),
    ("burst pipe under the sink, can't stop the water", "water"),
    ("the kitchen is flooding from the dishwasher hose", "water"),
    ("There are inches of water in the basement storage", "water"),
    # structural
    ("Door de storm waaien er pannen van het dak op het speelplein", "structural"),
    ("Er woeien net twee dakpannen naar beneden, vlak naast mijn dochter", "structural"),
    ("Een deel van het balkon is naar beneden gevallen op de stoep", "structural"),
    ("Het plafond in de woonkamer is ingestort", "structural"),
    ("Er vallen stukken beton van de galerij op straat", "structural"),
    ("de gevel brokkelt af, stenen vallen op de stoep", "structural"),
    ("Het balkon dreigt in te storten", "structural"),
    ("Part of the balcony fell onto the pavement this morning", "structural"),
    ("The bathroom ceiling has collapsed", "structural"),
    ("chunks of concrete falling from the facade near the entrance", "structural"),
    # power with a person at risk
    ("Stroomstoring en mijn buurman zit vast in de lift", "power"),
    ("Geen stroom en mijn vader ligt aan de beademing", "power"),
    ("Stroom is uitgevallen, de insuline moet koud blijven", "power"),
    ("Power cut and my neighbour is stuck in the lift", "power"),
    ("no electricity and my mum needs her oxygen machine", "power"),
    ("Someone is trapped in the elevator between floors 3 and 4", "power"),
    ("Het vriest en mijn 89 jaar oude moeder zit zonder verwarming", "power"),
]

# Danger words in messages that are about something else: bills, maintenance, past events told
# to complain about the follow-up, idioms.
NEAR_MISSES: list[str] = [
    "Mijn gasrekening is dit jaar veel te hoog uitgevallen.",
    "Wanneer wordt de gasmeter vervangen?",
    "Ik wil graag overstappen van gas naar inductie koken.",
    "Kunnen jullie de gasprijs voor volgend jaar vastzetten?",
    "De brandtrap aan de achterkant is al weken niet schoongemaakt.",
    "Moet ik zelf een brandverzekering afsluiten als huurder?",
    "De rookmelder moet vervangen worden, hij is verlopen.",
    "Mag ik roken op mijn balkon?",
    "De buurman rookt de hele dag op de galerij en het stinkt.",
    "Mijn kraan in de badkamer lekt een beetje.",
    "Er zit een lekkage onder de gootsteen, kan er iemand langskomen?",
    "De stroomrekening klopt niet, ik betaal dubbel.",
    "Ik wil mijn energiecontract opzeggen.",
    "De lift is al een week kapot en ik woon op de zesde.",
    "De waterdruk in de douche is erg laag.",
    "Mijn watermeter is niet opgenomen.",
    "De verwarming doet het niet goed, het wordt maar 17 graden.",
    "Het raam in de slaapkamer valt niet goed dicht.",
    "De tegels in de badkamer zitten los.",
    "De bank die ik kocht is na een maand al doorgezakt.",
    "Het dak lekt bij zware regen een beetje bij het dakraam.",
    "De monteur kwam voor de cv-ketel maar heeft niets gedaan.",
    "Het vuurwerk van de buren hield ons de hele nacht wakker.",
    "De kosten zijn ontploft sinds de nieuwe huurprijs.",
    "De lichtknop in de gang doet het niet.",
    "Mijn stofzuiger zuigt niet meer.",
    "Waarom staat er een brandweerinspectie gepland?",
    "Ik heb een nieuwe koolmonoxidemelder nodig, wanneer wordt die geplaatst?",
    "De afvoer van de douche is verstopt.",
    "Wanneer komt de glasvezel in onze straat?",
    "Er zit schimmel op het plafond van de badkamer.",
    "Het internet valt steeds uit in de avond.",
    "Mijn pakket is nat aangekomen door de regen.",
    "Kunnen jullie de kapotte lamp in het trappenhuis vervangen?",
    "Het balkonhek moet geverfd worden.",
    "My gas bill doubled without any explanation.",
    "When will the gas meter be replaced?",
    "The fire door on the second floor does not close properly.",
    "Is the fire extinguisher check included in the service costs?",
    "The smoke detector needs a new battery, can someone come?",
    "Can I smoke on the balcony?",
    "My kitchen tap drips a little.",
    "The electricity bill is wrong again.",
    "The lift has been out of order for a week now.",
    "Water pressure in the shower is very low.",
    "The heating only gets lukewarm.",
    "We were flooded with emails from your marketing department.",
    "The costs for the renovation exploded.",
    "The bathroom tiles are loose.",
    "The burning question is when you will finally reply.",
    "My new sofa sagged after two weeks.",
    "Your website crashed when I tried to pay.",
    "The light in the hallway is broken.",
    "Please send someone to fix the leaking radiator valve.",
    "The engineer switched off the boiler and left without fixing it.",
    "I want to switch to the black model instead.",
    "The window in the bedroom doesn't close.",
    "Your driver was smoking in the van while delivering my parcel.",
    "You should fire the courier who threw my parcel over the fence.",
    "Thanks for fixing the shower so quickly!",
    "I'm in danger of missing my flight because of this delay.",
]


def test_the_lists_are_long_enough() -> None:
    assert len(EMERGENCIES) >= 60
    assert len(NEAR_MISSES) >= 60
    assert {kind for _, kind in EMERGENCIES} == set(KIND_PRIORITY)


@pytest.mark.parametrize(("text", "kind"), EMERGENCIES)
def test_danger_takes_the_emergency_route_of_its_kind(text: str, kind: str) -> None:
    heard = understand(text, today=TODAY)
    assert heard.danger, text
    assert heard.emergency_kind == kind, text


@pytest.mark.parametrize("text", NEAR_MISSES)
def test_the_safety_net_leaves_danger_words_about_something_else_alone(text: str) -> None:
    assert not shows_danger(fold(text)), text
    heard = understand(text, today=TODAY)
    assert heard.emergency_kind is None


def test_few_false_alarms_on_the_near_misses() -> None:
    # Beyond the safety net the model may add an emergency it thinks likely: false alarms are
    # accepted there (the customer hears the emergency number and still gets a person), but
    # few: at most one near-miss in ten.
    alarms = [t for t in NEAR_MISSES if understand(t, today=TODAY).danger]
    assert len(alarms) <= len(NEAR_MISSES) // 10, alarms


def test_gas_outranks_water_where_both_show() -> None:
    kinds = danger_kinds(fold("Er stroomt water over de vloer en het ruikt naar gas"))
    assert kinds[0] == "gas"
    assert "water" in kinds


def test_a_power_cut_alone_is_not_an_emergency() -> None:
    assert danger_kinds(fold("Sinds vanochtend geen stroom in de hele straat")) == ()


def test_danger_is_not_lost_in_a_complaint_and_a_legal_threat() -> None:
    text = (
        "Ik stap naar mijn advocaat, dit is al de derde keer dat ik klaag: "
        "het ruikt hier weer naar gas."
    )
    heard = understand(text, today=TODAY)
    assert (heard.danger, heard.emergency_kind) == (True, "gas")


# Written by twenty other writers from how people describe danger, without this module's rules,
# each set measured first and then used to widen them (so a regression set now, not a
# measurement): 2,439 emergencies of every kind and 1,240 near-misses (among them complaints
# about the organisation that report a present danger, complaints with danger words but none,
# carers, neighbours and relatives writing for someone else, and writers the bot rarely hears:
# teenagers, the elderly, dyslexic, Surinamese, code-switching and non-native writers, and people
# who play a danger down, mention it in passing or describe it calmly without naming it).
# "also": the instruction of a second danger the message shows is accepted (a wet, bulging
# ceiling that may come down; a smoking fuse box or socket; a strange smell at a stove while
# people feel drowsy: gas advice, leave, also fits carbon monoxide).
PROBE = [
    json.loads(line)
    for line in (Path(__file__).parent / "data/emergency_probe.jsonl").read_text().splitlines()
]


@pytest.mark.parametrize("row", [r for r in PROBE if r["emergency"]], ids=lambda r: r["text"][:40])
def test_the_safety_net_alone_catches_every_probe_emergency(row: dict[str, str]) -> None:
    assert shows_danger(fold(row["text"])), row["text"]
    heard = understand(row["text"], today=TODAY)
    accepted = {row["kind"], row.get("also")} - {None}
    assert heard.emergency_kind in accepted, row["text"]


def test_few_false_alarms_on_the_probe_near_misses() -> None:
    # Past incidents told with present danger words ("vorige week een klein brandje"), a smoke
    # alarm's low-battery chirp, "on fire" for doing well: the accepted false alarms. The net on
    # its own raises at most 21 in 100 (253 of these 1,240 when it was last widened on them; 97
    # of the first 560 before). The model adds some: it also reads each sentence of a long
    # message on its own, which caught 11 of the 13 emergencies a fresh set of long mails hid in
    # one sentence, for 10 more alarms on that set's 60 long near-misses; at most 26 in 100 in
    # all (309 of 1,240; 109 of the first 560 before).
    near = [r["text"] for r in PROBE if not r["emergency"]]
    by_the_net = [t for t in near if shows_danger(fold(t))]
    alarms = [t for t in near if understand(t, today=TODAY).danger]
    assert len(near) >= 60
    assert len(by_the_net) <= len(near) * 21 // 100, by_the_net
    assert len(alarms) <= len(near) * 26 // 100, alarms
