"""The service refuses to start on a broken rule file, naming the file and the field at fault."""

from __future__ import annotations

import shutil

import pytest

from amo_eligibility.app import create_app
from amo_eligibility.ruleset import RuleFileError, rules_directory
from amo_eligibility.settings import Settings


def test_a_broken_rule_file_stops_the_app_naming_file_and_field(tmp_path):
    for name in ("2025-01-01.yaml", "2026-07-01.yaml"):
        shutil.copy(str(rules_directory() / name), tmp_path / name)
    broken = tmp_path / "2026-07-01.yaml"
    broken.write_text(
        broken.read_text(encoding="utf-8").replace(
            "waiting_period_months: 3", "waiting_period_months: -3"
        ),
        encoding="utf-8",
    )
    with pytest.raises(RuleFileError) as caught:
        create_app(Settings(rules_dir=str(tmp_path)))
    assert "2026-07-01.yaml: public_employee.waiting_period_months" in str(caught.value)


def test_the_shipped_rules_let_the_app_start():
    app = create_app(Settings())
    assert app.state.runtime.name == "eligibility"
