"""The product, appliance, part or service a message is about, from a word list."""

from __future__ import annotations

import re

_PRODUCTS = {
    "wasmachine": "wasmachine", "washing machine": "washing machine", "koelkast": "koelkast",
    "fridge": "fridge", "vriezer": "vriezer", "freezer": "freezer", "cv-ketel": "cv-ketel",
    "cv ketel": "cv-ketel", "ketel": "ketel", "boiler": "boiler",
    "kraan": "kraan", "tap": "tap", "vaatwasser": "vaatwasser", "afwasmachine": "afwasmachine",
    "dishwasher": "dishwasher", "droger": "droger", "wasdroger": "droger", "dryer": "dryer",
    "oven": "oven", "magnetron": "magnetron", "microwave": "microwave", "kookplaat": "kookplaat",
    "fornuis": "fornuis", "hob": "hob", "afzuigkap": "afzuigkap", "extractor fan": "extractor fan",
    "stofzuiger": "stofzuiger", "vacuum cleaner": "vacuum cleaner", "televisie": "televisie",
    "tv": "tv", "laptop": "laptop", "tablet": "tablet", "telefoon": "telefoon",
    "smartphone": "smartphone", "oplader": "oplader", "charger": "charger", "bankstel": "bankstel",
    "sofa": "sofa", "bank": "bank", "tafel": "tafel", "table": "table", "stoel": "stoel",
    "chair": "chair", "kast": "kast", "wardrobe": "wardrobe", "bed": "bed", "matras": "matras",
    "mattress": "mattress", "lamp": "lamp", "fiets": "fiets", "bike": "bike", "bicycle": "bicycle",
    "deurbel": "deurbel", "doorbell": "doorbell", "thermostaat": "thermostaat",
    "thermostat": "thermostat", "radiator": "radiator", "douche": "douche", "shower": "shower",
    "toilet": "toilet", "wc": "wc", "waterkoker": "waterkoker", "kettle": "kettle",
    "koffiemachine": "koffiemachine", "coffee machine": "coffee machine", "jas": "jas",
    "jacket": "jacket", "schoenen": "schoenen", "shoes": "shoes", "router": "router",
    "modem": "modem", "airco": "airco", "warmtepomp": "warmtepomp", "heat pump": "heat pump",
}
# Plurals are folded onto the singular so "twee stoelen" and "stoel" count as one product.
_PRODUCT_RE = re.compile(
    r"\b(" + "|".join(re.escape(p) for p in sorted(_PRODUCTS, key=len, reverse=True))
    + r")(?:s|en|'s)?\b"
)
# Housing, energy, telecom and municipal services: what tenants and subscribers write about.
_PRODUCTS.update(
    {
        word: word
        for word in (
            "lift", "elevator", "verwarming", "heating", "radiatoren", "cv", "geiser",
            "meterkast", "stopcontact", "socket", "dak", "roof", "plafond", "ceiling", "balkon",
            "balcony", "raam", "window", "kozijn", "voordeur", "front door", "deur", "door",
            "slot", "lock", "trappenhuis", "stairwell", "galerij", "intercom", "afvoer", "drain",
            "riool", "goot", "dakgoot", "gutter", "badkamer", "bathroom", "keuken", "kitchen",
            "afzuiging", "ventilatie", "ventilation", "mechanische ventilatie", "rookmelder",
            "smoke alarm", "zonnepanelen", "solar panels", "internet", "wifi", "glasvezel",
            "abonnement", "subscription", "energiecontract", "contract", "app", "website",
            "pakket", "parcel", "package", "container", "kliko", "afvalbak", "bin",
            "parkeervergunning", "parking permit", "paspoort", "passport", "rijbewijs",
            "straatlantaarn", "lantaarnpaal", "streetlight", "stoep", "pavement", "tegels",
            "tiles", "schutting", "fence", "tuin", "garden", "berging", "schuur", "shed",
            "huur", "rent", "servicekosten", "service charges", "jaarafrekening", "eindafrekening",
            "energierekening", "meter", "slimme meter", "smart meter", "warmwater", "hot water",
            "boiler", "waterkoker", "printer", "telefoonabonnement", "simkaart", "sim card",
        )
    }
)
# Plurals are folded onto the singular so "twee stoelen" and "stoel" count as one product.
_PRODUCT_RE = re.compile(
    r"\b(" + "|".join(re.escape(p) for p in sorted(_PRODUCTS, key=len, reverse=True))
    + r")(?:s|en|'s)?\b"
)


def extract_products(folded: str) -> list[str]:
    return [_PRODUCTS[m.group(1)] for m in _PRODUCT_RE.finditer(folded)]
