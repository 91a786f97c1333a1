"""The operators' `explain` command, run on every example case."""

from __future__ import annotations

import json
from pathlib import Path

import pytest
from typer.testing import CliRunner

from amo_eligibility.explain import app

EXAMPLES = sorted((Path(__file__).parents[2] / "examples").glob("*.json"))
runner = CliRunner()


def explain(*args: str) -> str:
    result = runner.invoke(app, [str(a) for a in args])
    assert result.exit_code == 0, result.output
    return result.output


@pytest.mark.parametrize("case", EXAMPLES, ids=lambda p: p.stem)
def test_every_example_is_explained_with_reasons_version_and_checklist(case: Path) -> None:
    output = explain(case)
    assert "Règles appliquées : version" in output
    assert "Motifs :" in output and "Pièces à fournir" in output
    expected = "REJETÉE" if any(w in case.stem for w in ("expired", "without")) else "APPROUVÉE"
    assert expected in output


def test_the_examples_cover_every_category() -> None:
    categories = {
        json.loads(case.read_text(encoding="utf-8"))["applicant"]["category"] for case in EXAMPLES
    }
    assert categories == {
        "public_employee",
        "independent_worker",
        "liberal_profession",
        "retiree",
        "widow",
        "orphan",
    }


def test_as_of_applies_the_rules_in_force_that_day() -> None:
    case = Path(__file__).parents[2] / "examples" / "family_law_54_23.json"
    before, after = explain(case), explain(case, "--as-of", "2026-07-15")
    assert "version 2025.1" in before and "[exclu] n°1 dependant.over_age" in before
    assert "version 2026.1" in after and "[inclus] n°1 dependant.student" in after


def test_a_date_before_any_rules_is_refused_plainly() -> None:
    result = runner.invoke(app, [str(EXAMPLES[0]), "--as-of", "2020-01-01"])
    assert result.exit_code == 1
    assert "no eligibility rule in force on 2020-01-01" in result.output


def test_a_bad_date_is_a_usage_error() -> None:
    assert runner.invoke(app, [str(EXAMPLES[0]), "--as-of", "01/02/2025"]).exit_code == 2
