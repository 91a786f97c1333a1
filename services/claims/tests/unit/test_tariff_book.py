"""Tariff versions: chosen by act date, validated on load, failing loudly with file and field."""

import datetime as dt
import shutil

import pytest

from amo_claims.domain import NoTariffInForce
from amo_claims.tariff_book import TARIFFS_DIR, TariffFileError, load_tariff_books

FIRST = "2013-01-01_cnops-alignment.yaml"


@pytest.fixture
def tariff_dir(tmp_path):
    target = tmp_path / "tariffs"
    shutil.copytree(TARIFFS_DIR, target)
    return target


def _edit(path, old, new):
    text = path.read_text(encoding="utf-8")
    assert old in text
    path.write_text(text.replace(old, new, 1), encoding="utf-8")


def test_the_version_in_force_on_the_act_date(book):
    assert book.in_force(dt.date(2013, 1, 1)).version == "2013-alignment"
    assert book.in_force(dt.date(2025, 12, 31)).version == "2013-alignment"
    assert book.in_force(dt.date(2026, 1, 1)).version == "2026-convention"
    assert book.in_force(dt.date(2040, 1, 1)).version == "2026-convention"


def test_before_the_first_version_is_an_error(book):
    with pytest.raises(NoTariffInForce, match="2013-01-01"):
        book.in_force(dt.date(2012, 12, 31))


def test_the_shipped_figures(book):
    old, new = book.in_force(dt.date(2020, 1, 1)), book.in_force(dt.date(2026, 6, 1))
    assert (old.acts["C"].tariff.in_dh(), old.acts["CS"].tariff.in_dh()) == ("80.00", "150.00")
    assert (new.acts["C"].tariff.in_dh(), new.acts["CS"].tariff.in_dh()) == ("150.00", "250.00")
    for version in book.history:
        assert version.filing_deadline_days == 60 and version.ald.validity_years == 5
        rates = version.rates
        assert (rates.ambulatory, rates.medicine, rates.ald) == (80, 70, 100)
        assert version.rates.hospital == {"public": 100, "private": 90}
        assert version.sources and any("ASSUMED" in a for a in version.assumptions)


def test_a_broken_amount_names_the_file_and_the_field(tariff_dir):
    _edit(tariff_dir / FIRST, 'tariff: "150"}', 'tariff: "15O"}')
    with pytest.raises(TariffFileError) as caught:
        load_tariff_books(tariff_dir)
    assert FIRST in str(caught.value) and "acts.CS.tariff" in str(caught.value)


def test_a_float_amount_is_refused(tariff_dir):
    _edit(tariff_dir / FIRST, 'B: "1.10"', "B: 1.10")
    with pytest.raises(TariffFileError, match=r"key_letters\.B: .*never as floats"):
        load_tariff_books(tariff_dir)


def test_a_missing_field_is_named(tariff_dir):
    _edit(tariff_dir / FIRST, "filing_deadline_days: 60\n", "")
    with pytest.raises(TariffFileError, match="filing_deadline_days: Field required"):
        load_tariff_books(tariff_dir)


def test_a_misspelt_field_is_refused(tariff_dir):
    _edit(tariff_dir / FIRST, "  ambulatory: 80", "  ambulatry: 80")
    with pytest.raises(TariffFileError, match=r"rates\.ambulatry: Extra inputs"):
        load_tariff_books(tariff_dir)


def test_a_rate_above_100_percent_is_refused(tariff_dir):
    _edit(tariff_dir / FIRST, "  medicine: 70", "  medicine: 170")
    with pytest.raises(TariffFileError, match=r"rates\.medicine"):
        load_tariff_books(tariff_dir)


def test_a_reference_generic_must_be_listed(tariff_dir):
    _edit(tariff_dir / FIRST, 'reference_generic: "6118000000022"', 'reference_generic: "1"')
    with pytest.raises(TariffFileError, match="reference generic 1 is not listed"):
        load_tariff_books(tariff_dir)


def test_a_key_given_twice_is_refused(tariff_dir):
    twice = '  C: {label: "Doublon", kind: ambulatory, tariff: "1"}\n  CS:'
    _edit(tariff_dir / FIRST, "  CS:", twice)
    with pytest.raises(TariffFileError, match=f"{FIRST}.*duplicate key 'C'"):
        load_tariff_books(tariff_dir)


def test_an_act_with_two_prices_is_refused(tariff_dir):
    _edit(tariff_dir / FIRST, 'tariff: "150"}', 'tariff: "150", letter: B, coefficient: 3}')
    with pytest.raises(TariffFileError, match=r"acts\.CS: Value error, give exactly one"):
        load_tariff_books(tariff_dir)


def test_two_versions_on_the_same_date_are_refused(tariff_dir):
    shutil.copy(tariff_dir / FIRST, tariff_dir / "2013-01-01_copy.yaml")
    with pytest.raises(TariffFileError, match="same effective_from"):
        load_tariff_books(tariff_dir)


def test_invalid_yaml_and_empty_directory(tmp_path, tariff_dir):
    (tariff_dir / "9999_broken.yaml").write_text("acts: [unclosed\n", encoding="utf-8")
    with pytest.raises(TariffFileError, match=r"9999_broken\.yaml"):
        load_tariff_books(tariff_dir)
    with pytest.raises(TariffFileError, match=r"no \*\.yaml"):
        load_tariff_books(tmp_path / "empty")


def test_a_book_is_ordered_by_date_whatever_the_input_order(book):
    reordered = book.with_versions(reversed(book.history))
    assert reordered.versions == ["2013-alignment", "2026-convention"]
