"""The payer per scheme (dated data), and how law 54-23's change of manager is added once dated."""

from __future__ import annotations

import shutil
from datetime import date
from pathlib import Path

import pytest

from amo_eligibility.domain import decide
from amo_eligibility.ruleset import load_rulesets, rules_directory
from amo_shared.events import Category

PUBLIC_SECTOR = [Category.PUBLIC_EMPLOYEE, Category.RETIREE, Category.WIDOW, Category.ORPHAN]
NON_SALARIED = [Category.INDEPENDENT_WORKER, Category.LIBERAL_PROFESSION]


@pytest.mark.parametrize("category", list(Category))
def test_each_category_has_its_schemes_manager(rules_now, category) -> None:
    expected = "CNSS" if category in NON_SALARIED else "CNOPS"
    assert rules_now.payer is not None and rules_now.payer.of(category) == expected
    assert {*PUBLIC_SECTOR, *NON_SALARIED} == set(Category)


def test_versions_before_2026_2_name_no_payer(make_facts, rules_2026) -> None:
    # The card terms' payer applies to them, as it did when they were decided.
    as_of = date(2026, 8, 1)
    assert decide(make_facts(Category.INDEPENDENT_WORKER), rules_2026, as_of, as_of).payer is None


def test_a_rejection_names_no_payer(make_facts, rules_now) -> None:
    as_of = date(2026, 12, 2)
    assert decide(make_facts(nationality="FR"), rules_now, as_of, as_of).payer is None


def test_law_54_23s_change_of_manager_is_a_new_version_once_its_date_is_known(
    tmp_path: Path, make_facts
) -> None:
    """What the rule file's header says to do when the date is published, staged here."""
    for f in rules_directory().iterdir():
        if f.name.endswith(".yaml"):
            shutil.copy(Path(str(f)), tmp_path / f.name)
    text = (tmp_path / "2026-12-01.yaml").read_text(encoding="utf-8")
    staged = text.replace('version: "2026.2"', 'version: "2027.1"').replace(
        "effective_from: 2026-12-01", "effective_from: 2027-01-01"
    )
    staged = staged.replace("    public_sector: CNOPS\n", "    public_sector: CNSS\n")
    assert staged.count("\n    public_sector: CNSS\n") == 1
    (tmp_path / "2027-01-01.yaml").write_text(staged, encoding="utf-8")
    book = load_rulesets(tmp_path)
    employee = make_facts(Category.PUBLIC_EMPLOYEE, recruitment_date=date(2010, 1, 1))
    before, after = date(2026, 12, 31), date(2027, 1, 1)
    assert decide(employee, book.in_force(before), before, before).payer == "CNOPS"
    assert decide(employee, book.in_force(after), after, after).payer == "CNSS"
