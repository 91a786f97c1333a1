"""Unit: the CNIE's machine-readable zone read from text and compared with the declared facts."""

from __future__ import annotations

from documents_samples import td1
from hypothesis import given
from hypothesis import strategies as st

from amo_documents.domain.checks.mrz import check_digit, find_mrz, fold, mrz_matches

ZONE = td1("A12345678", "AB123456", "ALAOUI", "AMINA")


def test_icao_check_digits():
    # ICAO 9303's own example: document number L898902C3 has check digit 6.
    assert check_digit("L898902C3") == "6"
    assert check_digit("<<<<") == "0"


def test_a_sound_zone_names_the_cnie_and_the_person():
    mrz = find_mrz("\n".join(["ROYAUME DU MAROC", *ZONE]))
    assert mrz is not None and mrz.valid
    assert mrz_matches(mrz, "AB123456", "Amina", "Alaoui")
    assert mrz_matches(mrz, "ab123456", "amina", "ALAOUI")


def test_another_number_or_name_does_not_match():
    mrz = find_mrz("\n".join(ZONE))
    assert mrz is not None
    assert not mrz_matches(mrz, "AB654321", "Amina", "Alaoui")
    assert not mrz_matches(mrz, "AB123456", "Amina", "Bennani")
    assert not mrz_matches(mrz, "AB123456", "Khadija", "Alaoui")
    assert not mrz_matches(mrz, None, "Amina", "Alaoui")


def test_a_zone_whose_check_digit_is_wrong_matches_nothing():
    broken = [ZONE[0][:14] + str((int(ZONE[0][14]) + 1) % 10) + ZONE[0][15:], *ZONE[1:]]
    mrz = find_mrz("\n".join(broken))
    assert mrz is not None and not mrz.valid
    assert not mrz_matches(mrz, "AB123456", "Amina", "Alaoui")


def test_text_without_a_zone_has_none():
    assert find_mrz("ROYAUME DU MAROC\nCARTE NATIONALE") is None


def test_accents_and_hyphens_fold_as_the_zone_writes_them():
    assert fold("Aït-Benhaddou") == "AIT BENHADDOU"
    mrz = find_mrz("\n".join(td1("A1", "AB1234", "AIT<BENHADDOU", "FATIMA<ZAHRA")))
    assert mrz is not None and mrz_matches(mrz, "AB1234", "Fatima-Zahra", "Aït Benhaddou")


@given(st.text(alphabet="0123456789", min_size=1, max_size=20), st.data())
def test_changing_one_digit_always_changes_the_check_digit(field, data):
    # Weights 7, 3 and 1 are prime to 10: no single wrong digit goes unnoticed.
    i = data.draw(st.integers(0, len(field) - 1))
    other = data.draw(st.sampled_from([d for d in "0123456789" if d != field[i]]))
    assert check_digit(field[:i] + other + field[i + 1 :]) != check_digit(field)
