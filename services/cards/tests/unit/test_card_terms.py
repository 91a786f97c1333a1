"""Card terms files: the shipped file loads; a broken file is refused, naming file and field."""

from __future__ import annotations

from datetime import date

import pytest

from amo_cards.card_terms import CardTermsFileError, load_card_terms

GOOD = """version: "{version}"
effective_from: {day}
payer: {payer}
validity_years: {years}
"""


def write(folder, name, text):
    (folder / name).write_text(text, encoding="utf-8")


def test_the_shipped_terms_load():
    book = load_card_terms()
    terms = book.in_force(date(2025, 6, 1))
    assert terms.payer == "CNOPS" and terms.validity_years == 5


def test_the_version_in_force_is_picked_by_date(tmp_path):
    write(
        tmp_path,
        "2025-01-01.yaml",
        GOOD.format(version="a", day="2025-01-01", payer="CNOPS", years=5),
    )
    write(
        tmp_path,
        "2027-07-01.yaml",
        GOOD.format(version="b", day="2027-07-01", payer="CNSS", years=5),
    )
    book = load_card_terms(tmp_path)
    assert book.in_force(date(2027, 6, 30)).payer == "CNOPS"
    assert book.in_force(date(2027, 7, 1)).payer == "CNSS"


@pytest.mark.parametrize(
    ("text", "fault"),
    [
        (GOOD.format(version="a", day="2025-01-01", payer="CNOPS", years=0), "validity_years"),
        (GOOD.format(version="a", day="2025-01-01", payer="CNOPS", years="five"), "validity_years"),
        (GOOD.format(version="a", day="2025-01-01", payer="", years=5), "payer"),
        (GOOD.format(version="a", day="2025-1-1", payer="CNOPS", years=5), "effective_from"),
        (
            GOOD.format(version="a", day="2025-01-01", payer="CNOPS", years=5) + "valdity: 3\n",
            "valdity",
        ),
        ('version: "a"\neffective_from: 2025-01-01\nvalidity_years: 5\n', "payer"),
    ],
)
def test_a_broken_field_is_named_with_its_file(tmp_path, text, fault):
    write(tmp_path, "2025-01-01.yaml", text)
    with pytest.raises(CardTermsFileError) as caught:
        load_card_terms(tmp_path)
    assert f"2025-01-01.yaml: {fault}" in str(caught.value)


def test_a_file_named_after_another_date_is_refused(tmp_path):
    write(
        tmp_path, "2025-02-01.yaml", GOOD.format(version="a", day="2025-01-01", payer="X", years=5)
    )
    with pytest.raises(CardTermsFileError, match=r"2025-02-01\.yaml: effective_from"):
        load_card_terms(tmp_path)


def test_invalid_yaml_and_empty_folders_are_refused(tmp_path):
    with pytest.raises(CardTermsFileError, match="no card terms file"):
        load_card_terms(tmp_path)
    write(tmp_path, "2025-01-01.yaml", "payer: [unclosed\n")
    with pytest.raises(CardTermsFileError, match=r"2025-01-01\.yaml: not valid YAML"):
        load_card_terms(tmp_path)
    write(
        tmp_path, "2025-01-01.yaml", GOOD.format(version="a", day="2025-13-01", payer="X", years=5)
    )
    with pytest.raises(CardTermsFileError, match=r"2025-01-01\.yaml: not valid YAML: month"):
        load_card_terms(tmp_path)


def test_two_versions_with_one_name_are_refused(tmp_path):
    write(
        tmp_path, "2025-01-01.yaml", GOOD.format(version="a", day="2025-01-01", payer="X", years=5)
    )
    write(
        tmp_path, "2026-01-01.yaml", GOOD.format(version="a", day="2026-01-01", payer="X", years=5)
    )
    with pytest.raises(CardTermsFileError, match="same version"):
        load_card_terms(tmp_path)
