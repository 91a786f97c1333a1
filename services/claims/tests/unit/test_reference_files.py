"""Reference files: per scheme and date, sourced, validated on load, failing with file and field."""

import datetime as dt
import shutil

import pytest
import yaml

from amo_claims.domain import NoTariffInForce
from amo_claims.reference_files import (
    REFERENCE_DIR,
    ReferenceFileError,
    load_reference,
    load_versions,
)

CNOPS = "tariffs/CNOPS/2013-07-18.yaml"
CNSS = "tariffs/CNSS/2020-01-13.yaml"


@pytest.fixture
def ref_dir(tmp_path):
    target = tmp_path / "reference"
    shutil.copytree(REFERENCE_DIR, target)
    return target


def _edit(path, old, new):
    text = path.read_text(encoding="utf-8")
    assert old in text
    path.write_text(text.replace(old, new, 1), encoding="utf-8")


def test_the_sourced_tables_by_scheme_and_date(reference):
    public, independent = reference.tariff_books["CNOPS"], reference.tariff_books["CNSS"]
    assert [(v.version, v.effective_from) for v in public] == [
        ("cnops-2013-07-18", dt.date(2013, 7, 18))
    ]
    assert [(v.version, v.effective_from) for v in independent] == [
        ("cnss-2020-01-13", dt.date(2020, 1, 13))
    ]
    on = dt.date(2026, 6, 1)
    old, new = reference.tariffs("CNOPS", on), reference.tariffs("CNSS", on)
    assert (old.acts["C"].tariff.in_dh(), old.acts["CS"].tariff.in_dh()) == ("80.00", "150.00")
    assert (new.acts["C"].tariff.in_dh(), new.acts["CS"].tariff.in_dh()) == ("150.00", "250.00")
    assert any("18 July 2013" in s for s in old.sources)
    assert any("13 January 2020" in s for s in new.sources)


def test_before_a_schemes_first_table_there_is_no_tariff(reference):
    with pytest.raises(NoTariffInForce, match="2013-07-18"):
        reference.tariffs("CNOPS", dt.date(2013, 7, 17))
    with pytest.raises(NoTariffInForce, match="2020-01-13"):
        reference.tariffs("CNSS", dt.date(2019, 12, 31))


def test_no_unsourced_convention_for_every_member():
    names = sorted(p.relative_to(REFERENCE_DIR).as_posix() for p in REFERENCE_DIR.rglob("*.yaml"))
    assert not any("2026" in name for name in names)


def test_every_file_names_its_sources_and_marks_its_placeholders():
    for path in REFERENCE_DIR.rglob("*.yaml"):
        data = yaml.safe_load(path.read_text(encoding="utf-8"))
        assert data["sources"], path
    on = dt.date(2025, 1, 1)
    reference = load_reference()
    assert all(m.illustrative for m in reference.medicines(on).medicines.values())
    assert all(f.illustrative for f in reference.facilities(on).facilities.values())
    acts = reference.tariffs("CNOPS", on).acts
    assert not acts["C"].illustrative and not acts["CS"].illustrative and acts["NFS"].illustrative


def test_the_claim_rules(reference):
    rules = reference.rules(dt.date(2025, 1, 1))
    d = rules.deadlines
    assert (d.member_days, d.facility_days, d.continuous_treatment_gap_days) == (60, 90, 30)
    assert [(w.first_day, w.last_day) for w in d.suspensions] == [
        (dt.date(2020, 3, 24), dt.date(2020, 7, 27))
    ]
    assert rules.schemes["independent_worker"] == rules.schemes["liberal_profession"] == "CNSS"
    assert {rules.schemes[c] for c in ("public_employee", "retiree", "widow", "orphan")} == {
        "CNOPS"
    }
    assert rules.inpe_valid("101234567") and not rules.inpe_valid("10123456")


def test_a_broken_amount_names_the_file_and_the_field(ref_dir):
    _edit(ref_dir / CNOPS, 'tariff: "150"}', 'tariff: "15O"}')
    with pytest.raises(ReferenceFileError) as caught:
        load_versions(ref_dir)
    assert f"{CNOPS}: acts.CS.tariff" in str(caught.value)


def test_a_float_amount_is_refused(ref_dir):
    _edit(ref_dir / CNSS, 'B: "1.10"', "B: 1.10")
    with pytest.raises(ReferenceFileError, match=rf"{CNSS}: key_letters\.B: .*never as floats"):
        load_versions(ref_dir)


def test_a_file_without_sources_is_refused(ref_dir):
    path = ref_dir / "ald/2013-07-18.yaml"
    text = path.read_text(encoding="utf-8")
    start, end = text.index("sources:"), text.index("assumptions:")
    path.write_text(text[:start] + "sources: []\n" + text[end:], encoding="utf-8")
    with pytest.raises(ReferenceFileError, match=r"ald/2013-07-18\.yaml: sources"):
        load_versions(ref_dir)


def test_tariffs_in_the_wrong_schemes_folder_are_refused(ref_dir):
    _edit(ref_dir / CNSS, "scheme: CNSS", "scheme: CNOPS")
    with pytest.raises(ReferenceFileError, match="tariffs/CNSS: scheme"):
        load_versions(ref_dir)


def test_a_reference_generic_must_be_listed(ref_dir):
    _edit(
        ref_dir / "medicines/2013-07-18.yaml",
        'reference_generic: "6118000000022"',
        'reference_generic: "1"',
    )
    with pytest.raises(ReferenceFileError, match="reference generic 1 is not listed"):
        load_versions(ref_dir)


def test_every_category_needs_a_scheme(ref_dir):
    _edit(ref_dir / "rules/2013-07-18.yaml", "  orphan: CNOPS\n", "")
    with pytest.raises(ReferenceFileError, match=r"rules/2013-07-18\.yaml: schemes: .*orphan"):
        load_versions(ref_dir)


def test_an_inpe_pattern_must_compile(ref_dir):
    _edit(ref_dir / "rules/2013-07-18.yaml", 'inpe_pattern: "[0-9]{9}"', 'inpe_pattern: "[0-9"')
    with pytest.raises(ReferenceFileError, match=r"inpe_pattern: .*not a regular expression"):
        load_versions(ref_dir)


def test_a_key_given_twice_and_a_misspelt_field(ref_dir):
    _edit(ref_dir / CNOPS, "  CS:", '  C: {label: "Doublon", kind: ambulatory, tariff: "1"}\n  CS:')
    _edit(ref_dir / "facilities/2013-07-18.yaml", "approved_from: 2016", "aproved_from: 2016")
    with pytest.raises(ReferenceFileError) as caught:
        load_versions(ref_dir)
    message = str(caught.value)  # every problem of every file at once
    assert f"{CNOPS}: not valid YAML" in message and "duplicate key 'C'" in message
    assert "facilities/2013-07-18.yaml: facilities.FAC-000202.aproved_from" in message


def test_a_file_named_after_another_date_is_refused(ref_dir):
    (ref_dir / CNOPS).rename(ref_dir / "tariffs/CNOPS/2013-01-01.yaml")
    with pytest.raises(ReferenceFileError, match=r"must be 2013-07-18\.yaml"):
        load_versions(ref_dir)


def test_a_stored_version_reads_back_as_the_same_reference(reference):
    from amo_claims.reference_files import reference_from

    again = reference_from(load_versions())
    on = dt.date(2025, 1, 1)
    assert again.tariffs("CNSS", on) == reference.tariffs("CNSS", on)
    assert again.medicines(on) == reference.medicines(on)


def test_the_import_command_refuses_a_broken_file_naming_file_and_field(ref_dir):
    from typer.testing import CliRunner

    from amo_claims.__main__ import cli

    _edit(ref_dir / CNOPS, 'tariff: "150"}', 'tariff: "15O"}')
    result = CliRunner().invoke(cli, ["import-reference", "--dir", str(ref_dir)])
    assert result.exit_code == 2
    assert f"{CNOPS}: acts.CS.tariff" in result.output


def test_a_broken_file_stops_the_service_at_start(ref_dir):
    from amo_claims.app import create_app
    from amo_claims.settings import Settings

    _edit(ref_dir / "ald/2013-07-18.yaml", "validity_years: 5", "validity_years: five")
    with pytest.raises(ReferenceFileError, match=r"ald/2013-07-18\.yaml: validity_years"):
        create_app(Settings(reference_dir=ref_dir, log_json=False))
