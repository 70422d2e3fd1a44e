from __future__ import annotations

import json
from datetime import date
from pathlib import Path

import pytest

from bot.nlu import Slots, understand
from bot.nlu.references import Reference, extract_references

# A Friday, so weekday arithmetic is easy to check by hand.
TODAY = date(2026, 3, 20)


def slots(text: str) -> Slots:
    return understand(text, today=TODAY).slots


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("Het gebeurde vorige week dinsdag.", "2026-03-10"),
        ("Al kapot sinds zaterdag.", "2026-03-14"),
        ("Gisteren kwam er niemand.", "2026-03-19"),
        ("Eergisteren gebeld.", "2026-03-18"),
        ("Geleverd op 3 maart.", "2026-03-03"),
        ("Factuurdatum 12-03-2026.", "2026-03-12"),
        ("It happened last Tuesday.", "2026-03-17"),
        ("Broken since Saturday.", "2026-03-14"),
        ("I called yesterday.", "2026-03-19"),
        ("Besteld 10 dagen geleden.", "2026-03-10"),
        ("Ordered two weeks ago.", "2026-03-06"),
    ],
)
def test_dates(text: str, expected: str) -> None:
    assert slots(text).dates == (expected,)


def test_date_far_ahead_is_read_as_last_year() -> None:
    assert slots("Het was op 20 december.").dates == ("2025-12-20",)


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("Ik betaalde € 15,50 te veel.", "15.50"),
        ("Dat kost 15 euro.", "15"),
        ("Een bedrag van EUR 1.234,56.", "1234.56"),
        ("Charged €25.99 twice.", "25.99"),
        ("Prijs €1.250,-", "1250"),
    ],
)
def test_amounts(text: str, expected: str) -> None:
    assert slots(text).amounts == (expected,)


@pytest.mark.parametrize(
    "phone", ["06-12345678", "+31 6 1234 5678", "020-1234567", "0800-1234", "0031 20 123 4567"]
)
def test_phones(phone: str) -> None:
    assert slots(f"Bel mij op {phone} graag.").phones == (phone,)


def test_date_and_order_number_are_not_phones() -> None:
    assert slots("Ordernummer 2024-55123, geleverd 12-03-2026.").phones == ()


def test_email() -> None:
    assert slots("Mail naar jan.de.vries+klacht@example.nl aub").emails == (
        "jan.de.vries+klacht@example.nl",
    )


def test_reference_numbers_keep_their_kind() -> None:
    s = slots("Ordernummer 2024-55123, factuur F-20931 en klantnummer: 120034.")
    assert s.order_numbers == ("2024-55123",)
    assert s.invoice_numbers == ("F-20931",)
    assert s.customer_numbers == ("120034",)
    s = slots("My order #88213 and invoice INV-7731; customer number is KN-55821.")
    assert s.order_numbers == ("88213",)
    assert s.invoice_numbers == ("INV-7731",)
    assert s.customer_numbers == ("KN-55821",)


def test_products() -> None:
    assert slots("De wasmachine en de cv-ketel zijn kapot, de koelkast ook.").products == (
        "wasmachine",
        "cv-ketel",
        "koelkast",
    )


@pytest.mark.parametrize(
    ("text", "name"),
    [
        ("Mijn naam is Fatima el Amrani en ik bel over de lekkage.", "Fatima el Amrani"),
        ("Goedemiddag, met Jan de Vries. Mijn pakket is zoek.", "Jan de Vries"),
        ("Het pakket is zoek.\n\nGroet,\nJ. de Vries", "J. de Vries"),
        ("The parcel is missing.\n\nKind regards,\nSarah Thompson", "Sarah Thompson"),
        ("My name is Tom Baker, my parcel is missing.", "Tom Baker"),
        ("Pakket zoek. Groet, Marieke", "Marieke"),
    ],
)
def test_names(text: str, name: str) -> None:
    assert slots(text).names == (name,)


def test_to_dict_keeps_only_filled_fields() -> None:
    assert slots("Bel 06-12345678").to_dict() == {"phones": ["06-12345678"]}
    assert Slots().to_dict() == {}


@pytest.mark.parametrize(
    ("text", "name"),
    [
        ("Geachte mevrouw De Vries, ik wacht nog steeds.", "mevrouw De Vries"),
        ("Hoogachtend,\nmr. drs. P.H. Verbeek", "mr. drs. P.H. Verbeek"),
        ("Vandaag kwam monteur Ruud, en het lekt nog.", "Ruud"),
        ("Thanks for the help yesterday, Sophie was really helpful.", "Sophie"),
        ("The parcel never came.\n\nBest,\nKwame Mensah", "Kwame Mensah"),
        ("Meneer de Haan van de klantenservice heeft het opgelost.", "Meneer de Haan"),
        ("Lamp kapot. Nicole van Dam, Zeeweg 80-2, Haarlem", "Nicole van Dam"),
    ],
)
def test_names_with_titles_initials_first_names_and_signatures(text: str, name: str) -> None:
    assert name in slots(text).names


def test_a_street_named_after_a_person_is_no_name() -> None:
    s = slots("Apt 3C, Hugo de Grootstraat 19, Delft.")
    assert s.names == ()
    assert s.addresses == ("Hugo de Grootstraat 19",)


@pytest.mark.parametrize(
    ("text", "address", "postcode", "city"),
    [
        (
            "Adres: Meeuwenlaan 12 hs, 1021 JK Amsterdam.",
            "Meeuwenlaan 12 hs",
            "1021 JK",
            "Amsterdam",
        ),
        ("Ik woon aan de Kastanjelaan 7 A in Zwolle.", "Kastanjelaan 7 A", None, "Zwolle"),
        (
            "Mijn adres is Oude Gracht 7bis, 3511AP Utrecht.",
            "Oude Gracht 7bis",
            "3511AP",
            "Utrecht",
        ),
        (
            "Adres Tesselschadestraat 9-III, 1054 ET Amsterdam.",
            "Tesselschadestraat 9-III",
            "1054 ET",
            "Amsterdam",
        ),
        (
            "Voor mijn adres (Hoefslag 3, 3981 KE Bunnik) graag glasvezel.",
            "Hoefslag 3",
            "3981 KE",
            "Bunnik",
        ),
        ("Het stinkt naar gas. Akkerwinde 19 Zwolle", "Akkerwinde 19", None, "Zwolle"),
        ("Bredestraat 9 bus 2, 9000 Gent.", "Bredestraat 9 bus 2", "9000", "Gent"),
        ("Gallery lights out at Laan van Meerdervoort 12.", "Laan van Meerdervoort 12", None, None),
    ],
)
def test_address_postcode_city(
    text: str, address: str, postcode: str | None, city: str | None
) -> None:
    s = slots(text)
    assert s.addresses == (address,)
    assert s.postcodes == ((postcode,) if postcode else ())
    assert s.cities == ((city,) if city else ())


@pytest.mark.parametrize(
    ("text", "kind", "numbers"),
    [
        ("Het gaat om factuur nr. 88123 en nr. 88124.", "invoice_numbers", ("88123", "88124")),
        ("Zie de factuur van maart. Nummer: 4400-1192.", "invoice_numbers", ("4400-1192",)),
        ("My tenant number is 50-88127.", "customer_numbers", ("50-88127",)),
        ("Klantnr. 74401293, tel 06-31122908.", "customer_numbers", ("74401293",)),
        ("Track & trace code 3SXYZ4412090 zegt niets.", "order_numbers", ("3SXYZ4412090",)),
        ("Contract van 12 maanden, klant sinds 2019.", "customer_numbers", ()),
    ],
)
def test_references_after_cue_words(text: str, kind: str, numbers: tuple[str, ...]) -> None:
    assert getattr(slots(text), kind) == numbers


@pytest.mark.parametrize(
    ("text", "kind", "numbers"),
    [
        ("Factuurnr. 2026-00123 klopt niet.", "invoice_numbers", ("2026-00123",)),
        ("factuurnr: F2026/0045 is dubbel afgeschreven", "invoice_numbers", ("F2026/0045",)),
        ("Factuurnummer: INV-2026-0042", "invoice_numbers", ("INV-2026-0042",)),
        ("De factuur met nummer 7781 2201 klopt niet", "invoice_numbers", ("7781 2201",)),
        (
            "Ik heb een betaalherinnering gekregen, nummer 55102938, maar ik heb al betaald",
            "invoice_numbers",
            ("55102938",),
        ),
        ("Aanmaning 2026-8812 is onterecht", "invoice_numbers", ("2026-8812",)),
        ("De aanmaning van 12-03-2026 klopt niet", "invoice_numbers", ()),
        ("Factuur 2026-118, referentie 7781-22", "customer_numbers", ("7781-22",)),
        ("Invoice no. 88213 was paid twice", "invoice_numbers", ("88213",)),
        ("Inv. no. 7731 is wrong", "invoice_numbers", ("7731",)),
        ("fact. nr. 2026/0413 klopt niet", "invoice_numbers", ("2026/0413",)),
        ("In fact 3000 people complained", "invoice_numbers", ()),
        ("De voorschotfactuur 2026-0412 klopt niet", "invoice_numbers", ("2026-0412",)),
        ("de jaarafrekening met nummer 88120-3 is te hoog", "invoice_numbers", ("88120-3",)),
        ("Credit note no. 7781 never arrived", "invoice_numbers", ("7781",)),
        ("De eindafrekening 1460,12 is veel te hoog", "invoice_numbers", ()),
        ("invoice nr 4471-B", "invoice_numbers", ("4471-B",)),
        ("Re: your invoice ref. INV/2026/118", "invoice_numbers", ("INV/2026/118",)),
        # A demand for payment's own reference is its number; a case's, request's or letter's
        # reference is the customer's.
        ("I object to the parking fine, reference 99182011.", "invoice_numbers", ("99182011",)),
        (
            "Bezwaar tegen de parkeerboete met kenmerk 4412 9901 2020",
            "invoice_numbers",
            ("4412 9901 2020",),
        ),
        (
            "Bezwaar tegen de boete van € 95 ingediend via het formulier, kenmerk PB-26-0188",
            "customer_numbers",
            ("PB-26-0188",),
        ),
        ("Factuur 2026-118, referentie 7781-22", "invoice_numbers", ("2026-118",)),
        ("My fine was cancelled. Letter reference: AB-4410", "customer_numbers", ("AB-4410",)),
        ("tax assessment (no. 2026.118.44)", "invoice_numbers", ("2026.118.44",)),
        ("Nota nr. 3301 van de loodgieter", "invoice_numbers", ("3301",)),
        ("Ordernummer: NL-4455-K2", "order_numbers", ("NL-4455-K2",)),
        ("bestelling #A12345 nog steeds niet binnen", "order_numbers", ("A12345",)),
        ("Bestelling nr. 100293847 is kwijt", "order_numbers", ("100293847",)),
        ("mijn bestelbon 20240311-77 klopt niet", "order_numbers", ("20240311-77",)),
        ("bestelnr. 5512 0093", "order_numbers", ("5512 0093",)),
        ("Order ref: WS-99812 still not shipped", "order_numbers", ("WS-99812",)),
        ("order reference 7731-XK", "order_numbers", ("7731-XK",)),
        ("My order (no. 44019) arrived broken", "order_numbers", ("44019",)),
        ("Ordernummer WEB 123456", "order_numbers", ("WEB 123456",)),
        ("pakketje met code 3STEST0001122 is niet bezorgd", "order_numbers", ("3STEST0001122",)),
        ("Order 30-88193, 0492-522910", "order_numbers", ("30-88193",)),
        ("Bestelnummer 30-11920, 5611 EM Eindhoven", "order_numbers", ("30-11920",)),
        (
            "the kitchen extractor repair (job ref. 44871) was marked done",
            "order_numbers",
            ("44871",),
        ),
        ("Met vriendelijke groet,\nAnna de Wit\nOrdernr: 88-1120", "order_numbers", ("88-1120",)),
        ("> Uw bestelling 77120 is onderweg\nNiet dus.", "order_numbers", ("77120",)),
        ("Klantnummer 5502-118, factuur 7781", "customer_numbers", ("5502-118",)),
        ("Referentie: 2026/ABC/991 (uw mail van gisteren)", "customer_numbers", ("2026/ABC/991",)),
        ("huurdersnummer 10045, factuurnummer 2026-331", "invoice_numbers", ("2026-331",)),
        ("Orderno. 55-101 and invoice no. 88-2", "invoice_numbers", ("88-2",)),
        ("ik heb 3 facturen gekregen", "invoice_numbers", ()),
        ("order 2 stuks", "order_numbers", ()),
        ("Ik bestelde op 12 maart 2 stoelen", "order_numbers", ()),
    ],
)
def test_references_in_the_ways_customers_write_them(
    text: str, kind: str, numbers: tuple[str, ...]
) -> None:
    """Abbreviated cues, letters and spaces inside the number, a cue word followed by "ref",
    reminders and assessments, signatures and quoted mail; dates, phone numbers and postcodes
    after a reference are not one."""
    assert getattr(slots(text), kind) == numbers


@pytest.mark.parametrize(
    ("text", "numbers"),
    [
        # Short forms of the word.
        ("fact nr 2026118 is dubbel afgeschreven", ("2026118",)),
        ("factnr. 2026118 is dubbel", ("2026118",)),
        ("fac.nr. 2026118 klopt niet", ("2026118",)),
        ("fct nr 2026118", ("2026118",)),
        ("notanr. 4471 van de schilder", ("4471",)),
        ("inv#12345 is wrong", ("12345",)),
        ("factuur nº 2026-0412 klopt niet", ("2026-0412",)),
        ("factuur n° 2026-0412 klopt niet", ("2026-0412",)),
        ("factuur nmr 2026118 klopt niet", ("2026118",)),
        ("invoice nbr. 2026118 is wrong", ("2026118",)),
        ("betaalkenmerk 5502 1188 4471 2026", ("5502 1188 4471 2026",)),
        ("de energierekening 2026-0412 is veel te hoog", ("2026-0412",)),
        ("payment reference RF18 5390 0754 7034 was on the transfer", ("RF18 5390 0754 7034",)),
        # Plurals: several numbers after one word.
        ("factuurnummers 88123 en 88124 zijn dubbel", ("88123", "88124")),
        ("invoices 88123 and 88124 are the same", ("88123", "88124")),
        # The number on the next line, in quotes, with spaced groups or a spaced dash.
        ("Factuurnummer:\n2026-0412", ("2026-0412",)),
        ("factuurnummer 'F2026-0412' klopt niet", ("F2026-0412",)),
        ("Factuurnummer: F 2024 00123", ("F 2024 00123",)),
        ("factuurnummer 2024 - 0012 is te hoog", ("2024 - 0012",)),
        ("Invoice number 2026 0412 1188", ("2026 0412 1188",)),
        # "Nummer"/"het nummer is" after an invoice is named.
        ("Ik heb een factuur gekregen. Het nummer is 88123.", ("88123",)),
        ("rekening nr. 4471 is te hoog", ("4471",)),
        # A prefix that names an invoice, and a reference-shaped number after an invoice word.
        ("INV-2024-0012 is dubbel betaald", ("INV-2024-0012",)),
        ("Ik heb INV20240012 al betaald", ("INV20240012",)),
        ("De factuur klopt niet, zie F-2024-00123 in de bijlage", ("F-2024-00123",)),
        ("Ik kreeg een aanmaning over 2025-00912 terwijl ik betaald heb", ("2025-00912",)),
        ("op uw rekening 2026-118 staat te veel", ("2026-118",)),
        # A number after the reference is not part of it when it is an amount or a phone.
        ("factuur 4471 - 120 euro te veel", ("4471",)),
        ("factuur 20011 200 euro te hoog", ("20011",)),
        ("factuur 88123 0612345678 bel me", ("88123",)),
        # Near misses: bank accounts, amounts, phones, dates and other kinds of number.
        ("mijn rekeningnummer is NL91 ABNA 0417 1643 00", ()),
        ("rekeningnummer NL91ABNA0417164300", ()),
        ("my bill of 45.00 is wrong", ()),
        ("factuur van 89,95 klopt niet", ()),
        ("factuur van 120 euro", ()),
        ("Over de factuur: bel me op nummer 06-12345678", ()),
        ("factuur klopt niet, mijn nummer is +31 6 12345678", ()),
        ("Factuurnummer\n0612345678", ()),
        ("De factuur klopt niet. Mijn klantnummer is KN-55821", ()),
        ("De factuur van de reparatie, werkbon W-20931", ()),
        ("invoice for order 55123", ()),
        ("De factuur klopt niet, zie mijn mail van 2026-03-12", ()),
        ("De factuur klopt niet. Ik woon op Kerkstraat 12, 1234 AB", ()),
        ("factuur van de Bosch WAT28400NL klopt niet", ()),
        ("De factuur klopt niet, BTW NL123456789B01", ()),
        ("in fact no 300 people came", ()),
        ("mijn bankrekening 123456789 is geblokkeerd", ()),
        ("Bestelling WS-99812 is kwijt", ()),
    ],
)
def test_invoice_numbers_in_more_ways(text: str, numbers: tuple[str, ...]) -> None:
    """Short and plural invoice words, numbers on the next line or quoted, an invoice prefix
    on its own; bank accounts, amounts, phones, dates, order and customer numbers are no
    invoice number."""
    assert slots(text).invoice_numbers == numbers


# Written by seven other writers from the labelling rules alone, in the ways customers give
# their numbers (typos, abbreviations, the number before the word, after a question or in
# brackets a few words on, pasted form fields, forwarded and quoted mails, carriers' parcel
# codes), among phones, amounts, bank accounts, plates, models, citizen numbers and dates. Each
# set was measured first (recall customer, order, invoice: 66.9, 65.8, 86.2 % on the first;
# 68.4, 74.1, 81.9 % on the second, 89.0, 83.0, 90.4 % on the third, 93.6, 87.1, 94.7 % on
# the fourth, 87.1, 100, 90.1 % on the fifth, 89.0, 85.7, 91.2 % on the sixth and 87.2, 93.5,
# 92.9 % on the seventh, each after the extractor had been widened on the sets before it), then
# the extractor was widened on it, so it is a regression set now: 753 customer, 620 order and
# 681 invoice numbers.
REFERENCES_PROBE = [
    json.loads(line)
    for line in (Path(__file__).parent / "data/references_probe.jsonl").read_text().splitlines()
]


@pytest.mark.parametrize("kind", ["customer", "order", "invoice"])
def test_reference_numbers_of_the_probe_are_found_with_their_kind(kind: Reference) -> None:
    key = f"{kind}_numbers"
    labelled = found = extracted = right = 0
    for row in REFERENCES_PROBE:
        got = extract_references(row["text"])[kind]
        labelled += len(row[key])
        found += sum(value in got for value in row[key])
        extracted += len(got)
        right += sum(value in row[key] for value in got)
    assert labelled >= 170
    assert found / labelled >= 0.93
    assert right / extracted >= 0.97


@pytest.mark.parametrize(
    ("text", "kind", "numbers"),
    [
        ("Ik heb mijn abonnement (VF1129384720) opgezegd", "customer", ("VF1129384720",)),
        ("de offerte voor de kozijnen (2024-O-0381) is verlopen", "invoice", ("2024-O-0381",)),
        ("4411229 is mijn klantnummer", "customer", ("4411229",)),
        ("Mijn klantnummer? Dat is 556677.", "customer", ("556677",)),
        ("Zending 3SKAB0987654 is kwijt", "order", ("3SKAB0987654",)),
        ("lidnummer 00873412", "customer", ("00873412",)),
        ("mijn ordnr is 77 12 450", "order", ("77 12 450",)),
        # Numbers beside a word that are no reference.
        ("mijn klacht over de koptelefoon (WH-1000XM4)", "customer", ()),
        ("mijn claim over vlucht TB1127 van 2 juli", "customer", ()),
        ("de boeking voor 12-15 augustus", "order", ()),
        ("bestelling van 3 dozen tegels (60x60)", "order", ()),
        ("my account is NL91 ABNA 0417 1643 00", "customer", ()),
        ("bestelling 12345, 2 stuks", "order", ("12345",)),
        ("mijn account, gebruikersnaam is kaasboer1978", "customer", ()),
        ("aanvraagnummer BB-24-0771. Mijn BSN is 111222333.", "customer", ("BB-24-0771",)),
        ("mijn bestelling bij jullie (ref 7HJ-22K-91) is niet compleet", "order", ("7HJ-22K-91",)),
        ("Your reference number is REF/0045/771.", "customer", ("REF/0045/771",)),
    ],
)
def test_references_a_few_words_on_and_what_is_not_one(
    text: str, kind: Reference, numbers: tuple[str, ...]
) -> None:
    assert tuple(extract_references(text)[kind]) == numbers


def test_the_other_kinds_beside_an_invoice_keep_their_kind() -> None:
    s = slots("Factuur F-2024-00123 voor bestelling WS-99812, klantnummer KN-55821.")
    assert s.invoice_numbers == ("F-2024-00123",)
    assert s.order_numbers == ("WS-99812",)
    assert s.customer_numbers == ("KN-55821",)


@pytest.mark.parametrize(
    ("text", "mention", "days"),
    [
        ("Vanochtend kwam er niemand.", "Vanochtend", ("2026-03-20",)),
        ("Ik ontving gisteravond een sms.", "gisteravond", ("2026-03-19",)),
        ("De monteur zou dinsdag komen, niemand gezien.", "dinsdag", ("2026-03-17",)),
        ("Kunt u dinsdag komen?", "dinsdag", ("2026-03-24",)),
        ("Dat was vorige week donderdag.", "vorige week donderdag", ("2026-03-12",)),
        ("We zijn weg van 12 t/m 26 december.", "12 t/m 26 december", ("2025-12-12", "2025-12-26")),
        ("I called last Thursday.", "last Thursday", ("2026-03-19",)),
        ("Sinds januari is het kapot.", "januari", ()),
    ],
)
def test_date_mentions_and_the_days_they_mean(
    text: str, mention: str, days: tuple[str, ...]
) -> None:
    s = slots(text)
    assert s.date_mentions == (mention,)
    assert s.dates == days


@pytest.mark.parametrize(
    ("text", "time"),
    [
        ("De monteur zou tussen 8 en 12 komen.", "tussen 8 en 12"),
        ("Om 14:30 stond ik klaar.", "Om 14:30"),
        ("Ik ben thuis na half vier.", "na half vier"),
        ("I'm home after 3:30pm.", "after 3:30pm"),
    ],
)
def test_times(text: str, time: str) -> None:
    assert slots(text).times == (time,)


def test_durations_and_thousands_are_no_times() -> None:
    assert slots("Ik heb 3 uur lang gewacht en €1.250 betaald.").times == ()


@pytest.mark.parametrize(
    ("text", "amount"),
    [
        ("Er staat een bedrag van 29,99 op mijn rekening.", "29.99"),
        ("Mijn termijnbedrag is 89 afgesproken.", "89"),
        ("You charge 2.50 for a paper invoice?", "2.50"),
    ],
)
def test_amounts_without_a_currency_sign(text: str, amount: str) -> None:
    assert slots(text).amounts == (amount,)


@pytest.mark.parametrize("phone", ["0476 22 18 90", "+44 7700 900431", "06-71188290"])
def test_phones_as_people_write_them(phone: str) -> None:
    assert slots(f"Bel me op {phone}.").phones == (phone,)


def test_order_numbers_are_no_phones() -> None:
    assert slots("Order 7700123455, klantnummer 20077341.").phones == ()
