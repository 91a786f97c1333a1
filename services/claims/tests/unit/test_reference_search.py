"""Searching the registries in force on a date: words of code and label, accents folded, pages."""

import datetime as dt

from hypothesis import given
from hypothesis import strategies as st

from amo_claims.reference_search import search

ON = dt.date(2025, 6, 1)


def test_tariffs_of_both_schemes_or_one(reference):
    both = search(reference, "tariffs", q="consultation specialiste", on=ON)
    assert [(r["scheme"], r["code"], r["tariff"]) for r in both["items"]] == [
        ("CNOPS", "CS", "150.00"),
        ("CNSS", "CS", "250.00"),
    ]
    one = search(reference, "tariffs", q="CS", scheme="CNSS", on=ON)
    assert {r["scheme"] for r in one["items"]} == {"CNSS"}
    assert [v["version"] for v in one["versions"]] == ["cnss-2020-01-13"]


def test_before_the_cnss_table_only_the_public_one_answers(reference):
    result = search(reference, "tariffs", q="CS", on=dt.date(2019, 1, 1))
    assert {r["scheme"] for r in result["items"]} == {"CNOPS"}


def test_medicines_with_their_reference_generic(reference):
    hit = search(reference, "medicines", q="amoxicilline princeps", on=ON)["items"]
    assert [(r["code"], r["public_price"], r["reference_price"]) for r in hit] == [
        ("6118000000015", "70.00", "42.00")
    ]


def test_facilities_and_ald_by_words_without_accents(reference):
    clinics = search(reference, "facilities", q="clinique detroit", on=ON)["items"]
    assert [(c["code"], c["approved_on_date"]) for c in clinics] == [("FAC-000203", False)]
    renal = search(reference, "ald", q="RENALE", on=ON)["items"]
    assert [(r["code"], r["exemption"]) for r in renal] == [("ALD04", "life")]
    diabetes = search(reference, "ald", q="diabète", on=ON)["items"]
    assert diabetes[0]["exemption"] == "5 years"


def test_nothing_in_force_answers_an_empty_page(reference):
    result = search(reference, "medicines", on=dt.date(2000, 1, 1))
    assert (result["total"], result["items"], result["versions"]) == (0, [], [])


@given(size=st.integers(1, 7))
def test_pages_cover_every_hit_once(reference, size):
    total = search(reference, "tariffs", on=ON)["total"]
    codes = []
    for page in range(1, total // size + 2):
        codes += [
            (r["scheme"], r["code"])
            for r in search(reference, "tariffs", on=ON, page=page, size=size)["items"]
        ]
    assert len(codes) == len(set(codes)) == total
