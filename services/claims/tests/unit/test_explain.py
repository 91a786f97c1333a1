"""The operator command prints every line's explanation; the examples stay valid."""

import json
from pathlib import Path

import pytest
from typer.testing import CliRunner

from amo_claims.explain import app

EXAMPLES = sorted((Path(__file__).parents[2] / "examples").glob("*.json"))
runner = CliRunner()


@pytest.mark.parametrize("example", EXAMPLES, ids=lambda p: p.stem)
def test_every_example_is_explained(example):
    result = runner.invoke(app, [str(example)])
    assert result.exit_code == 0, result.output
    assert "Décision" in result.output and "Ligne 1" in result.output


def test_the_specialist_example_as_json():
    example = next(p for p in EXAMPLES if p.stem == "specialist_above_tariff")
    result = runner.invoke(app, [str(example), "--json"])
    payload = json.loads(result.output)
    assert (payload["total_reimbursed"], payload["total_patient_share"]) == ("120.00", "180.00")
    assert payload["lines"][0]["notes"][0]["reason"] == "CAPPED_AT_TARIFF"


def test_the_text_names_the_reason_and_the_message():
    example = next(p for p in EXAMPLES if p.stem == "private_surgery_without_approval")
    output = runner.invoke(app, [str(example)]).output
    assert "PRIOR_APPROVAL_MISSING" in output and "Accord préalable" in output
    assert "EXCLUDED_ITEM" in output and "chambre particulière" in output


def test_a_broken_claim_file_exits_with_2(tmp_path):
    broken = tmp_path / "claim.json"
    broken.write_text('{"claim": {"lines": []}}', encoding="utf-8")
    result = runner.invoke(app, [str(broken)])
    assert result.exit_code == 2
