"""The rule files: the versions shipped, the one in force on a date, and broken files failing loudly."""

from __future__ import annotations

import shutil
from datetime import date
from pathlib import Path

import pytest
from pydantic import BaseModel

from amo_eligibility.domain import CATALOGUE, RuleBook
from amo_eligibility.ruleset import RuleFileError, load_rulesets, rules_directory

FIRST = "2025-01-01.yaml"
LATEST = "2026-12-01.yaml"


def test_the_shipped_versions(book: RuleBook) -> None:
    assert book.versions == ["2025.1", "2026.1", "2026.2"]
    assert [r.dependants.student_max_age for r in book.history] == [26, 30, 30]
    assert set(book.history[0].messages) == {
        code for code, spec in CATALOGUE.items() if spec.feature is None
    }
    assert set(book.history[-1].messages) == set(CATALOGUE), "the latest words every code"


def test_older_versions_keep_their_rules(book: RuleBook) -> None:
    # A version has only the rules it was written with: the later ones are absent, not defaulted.
    assert [sorted(r.features()) for r in book.history[:2]] == [[], []]
    assert all(r.payer is None and r.continuity is None for r in book.history[:2])


def explicit_gaps(model: BaseModel, path: str = "") -> list[str]:
    """Fields of `model` (recursively) the file left to a default."""
    gaps = [
        f"{path}{name}" for name in type(model).model_fields if name not in model.model_fields_set
    ]
    for name in model.model_fields_set:
        value = getattr(model, name)
        if isinstance(value, BaseModel) and name != "messages":
            gaps += explicit_gaps(value, f"{path}{name}.")
    return gaps


def test_the_latest_version_states_every_rule_explicitly(book: RuleBook) -> None:
    assert explicit_gaps(book.history[-1]) == []


@pytest.mark.parametrize(
    ("day", "version"),
    [
        (date(2025, 1, 1), "2025.1"),
        (date(2026, 6, 30), "2025.1"),
        (date(2026, 7, 1), "2026.1"),
        (date(2026, 11, 30), "2026.1"),
        (date(2026, 12, 1), "2026.2"),
        (date(2040, 1, 1), "2026.2"),
    ],
)
def test_in_force_picks_the_version_of_the_day(book: RuleBook, day: date, version: str) -> None:
    assert book.in_force(day).version == version


def test_no_rules_before_the_first_version(book: RuleBook) -> None:
    with pytest.raises(LookupError, match="2025-01-01"):
        book.in_force(date(2024, 12, 31))


@pytest.fixture
def rules_copy(tmp_path: Path) -> Path:
    shutil.copy(Path(str(rules_directory() / FIRST)), tmp_path / FIRST)
    return tmp_path


def edit(folder: Path, old: str, new: str, name: str = FIRST) -> None:
    text = (folder / name).read_text(encoding="utf-8")
    assert old in text, f"test setup: {old!r} not in {name}"
    (folder / name).write_text(text.replace(old, new, 1), encoding="utf-8")


@pytest.mark.parametrize(
    ("old", "new", "field"),
    [
        (
            "waiting_period_months: 3",
            "waiting_period_months: three",
            "public_employee.waiting_period_months",
        ),
        ("  child_max_age: 21\n", "", "dependants.child_max_age"),
        ("student_max_age: 26", "student_max_agee: 26", "dependants.student_max_agee"),
        ("student_max_age: 26", "student_max_age: 18", "dependants"),
        ("  - orphan\n", "  - orphans\n", "categories"),
        (
            "  pension_number.missing:",
            "  pension_number.absent:",
            "pension_number.missing: no message",
        ),
        (
            "droits maintenus {months}",
            "droits maintenus {weeks}",
            "survivor.within_grace: unknown placeholder",
        ),
        ('fr: "Nationalité marocaine."', 'fr: ""', "messages.nationality.national.fr"),
    ],
)
def test_a_broken_rule_file_names_the_file_and_the_field(
    rules_copy: Path, old: str, new: str, field: str
) -> None:
    edit(rules_copy, old, new)
    with pytest.raises(RuleFileError) as failure:
        load_rulesets(rules_copy)
    assert FIRST in str(failure.value)
    assert field in str(failure.value)


@pytest.fixture
def latest_copy(tmp_path: Path) -> Path:
    shutil.copy(Path(str(rules_directory() / LATEST)), tmp_path / LATEST)
    return tmp_path


@pytest.mark.parametrize(
    ("old", "new", "field"),
    [
        (
            "  guardian.missing:",
            "  guardian.absent:",
            "guardian.missing: no message",
        ),
        ("    non_salaried: CNSS\n", "", "no managing body for scheme(s) ['non_salaried']"),
        ("    orphan: public_sector\n", "", "no scheme for admitted categories ['orphan']"),
        ("    cnss_salaried:", "    CNSS-salaried:", "codes must be lower_snake_case"),
        ("guardian_below_age: 16", "guardian_below_age: 0", "orphan.guardian_below_age"),
        (
            "retirees_from_day_after_retirement: true\n",
            "",
            "continuity.retirees_from_day_after_retirement",
        ),
    ],
)
def test_a_broken_new_section_names_the_file_and_the_field(
    latest_copy: Path, old: str, new: str, field: str
) -> None:
    edit(latest_copy, old, new, name=LATEST)
    with pytest.raises(RuleFileError) as failure:
        load_rulesets(latest_copy)
    assert LATEST in str(failure.value)
    assert field in str(failure.value)


def test_invalid_yaml_names_the_file(rules_copy: Path) -> None:
    edit(rules_copy, "nationality:\n", "nationality: [\n")
    with pytest.raises(RuleFileError, match=r"2025-01-01\.yaml: not valid YAML"):
        load_rulesets(rules_copy)


def test_the_file_name_must_be_its_effective_date(rules_copy: Path) -> None:
    (rules_copy / FIRST).rename(rules_copy / "2025-02-01.yaml")
    with pytest.raises(RuleFileError, match=r"2025-02-01\.yaml: effective_from is 2025-01-01"):
        load_rulesets(rules_copy)


def test_two_files_with_the_same_version_are_refused(rules_copy: Path) -> None:
    shutil.copy(rules_copy / FIRST, rules_copy / "2026-01-01.yaml")
    edit(
        rules_copy,
        "effective_from: 2025-01-01",
        "effective_from: 2026-01-01",
        name="2026-01-01.yaml",
    )
    with pytest.raises(RuleFileError, match="same version"):
        load_rulesets(rules_copy)


def test_an_empty_rules_directory_is_refused(tmp_path: Path) -> None:
    with pytest.raises(RuleFileError, match="no eligibility rule file"):
        load_rulesets(tmp_path)
