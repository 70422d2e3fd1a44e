from __future__ import annotations

from datetime import date

import pytest

from bot.nlu import Slots, understand

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
