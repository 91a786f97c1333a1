"""Reference data on the real stack: imported at start and by the command (idempotent,
versioned), searched through the internal API, a new version seen at once."""

from __future__ import annotations

import asyncio
import shutil

from typer.testing import CliRunner

from amo_claims.__main__ import cli
from amo_claims.app import create_app
from amo_claims.reference_files import REFERENCE_DIR
from amo_claims.settings import Settings


def settings(stack, database) -> Settings:
    return Settings(
        **stack.kafka_settings("claims"),
        mongo_url=stack.mongo_url,
        mongo_database=database,
    )


def staged(tmp_path, cs_tariff: str):
    """The shipped files plus a proposed CNOPS table from 2027-01-01."""
    target = tmp_path / "reference"
    shutil.copytree(REFERENCE_DIR, target)
    text = (target / "tariffs/CNOPS/2013-07-18.yaml").read_text(encoding="utf-8")
    text = text.replace('version: "cnops-2013-07-18"', 'version: "cnops-2027-01-01"')
    text = text.replace("effective_from: 2013-07-18", "effective_from: 2027-01-01")
    text = text.replace(
        'spécialiste", kind: ambulatory, tariff: "150"',
        f'spécialiste", kind: ambulatory, tariff: "{cs_tariff}"',
    )
    assert f'tariff: "{cs_tariff}"' in text  # the proposed figure did land in the file
    (target / "tariffs/CNOPS/2027-01-01.yaml").write_text(text, encoding="utf-8")
    return target


async def import_command(stack, database, directory):
    env = {
        "AMO_CLAIMS_MONGO_URL": stack.mongo_url,
        "AMO_CLAIMS_MONGO_DATABASE": database,
        "AMO_CLAIMS_KAFKA_BOOTSTRAP_SERVERS": stack.kafka_bootstrap,
        "AMO_CLAIMS_LOG_JSON": "false",
    }
    # The command runs its own event loop, as it does from a shell.
    return await asyncio.to_thread(
        CliRunner().invoke, cli, ["import-reference", "--dir", str(directory)], env=env
    )


async def test_the_shipped_reference_is_searchable_after_start(stack, database, run_app):
    async with run_app(create_app(settings(stack, database))) as client:
        tariffs = await client.get("/reference/tariffs", params={"q": "CS", "date": "2025-06-01"})
        cnss = await client.get(
            "/reference/tariffs", params={"q": "CS", "scheme": "CNSS", "date": "2025-06-01"}
        )
        medicines = await client.get("/reference/medicines", params={"q": "metformine"})
        facilities = await client.get("/reference/facilities", params={"q": "rabat", "size": 1})
        ald = await client.get("/reference/ald", params={"q": "diabete"})
        too_long = await client.get("/reference/ald", params={"q": "x" * 101})
        unknown = await client.get("/reference/prices")
    rows = [(r["scheme"], r["tariff"]) for r in tariffs.json()["items"]]
    assert rows == [("CNOPS", "150.00"), ("CNSS", "250.00")]
    assert [r["tariff"] for r in cnss.json()["items"]] == ["250.00"]
    assert {r["reference_price"] for r in medicines.json()["items"]} == {"22.50"}
    assert (facilities.json()["total"], len(facilities.json()["items"])) == (2, 1)
    assert ald.json()["items"][0]["exemption"] == "5 years"
    assert too_long.status_code == 422 and too_long.json()["detail"][0]["loc"] == ["query", "q"]
    assert unknown.status_code == 422


async def test_the_import_command_adds_a_version_once_and_refuses_an_edit(
    stack, database, run_app, tmp_path
):
    app = create_app(settings(stack, database))
    async with run_app(app) as client:
        before = await client.get("/reference/tariffs", params={"q": "CS", "date": "2027-02-01"})
        first = await import_command(stack, database, staged(tmp_path / "a", "300"))
        again = await import_command(stack, database, staged(tmp_path / "b", "300"))
        edited = await import_command(stack, database, staged(tmp_path / "c", "350"))
        after = await client.get("/reference/tariffs", params={"q": "CS", "date": "2027-02-01"})
        earlier = await client.get("/reference/tariffs", params={"q": "CS", "date": "2026-12-31"})
        stored = await app.state.reference_store.versions.count({"registry": "tariffs"})
    cnops = lambda answer: [r["tariff"] for r in answer.json()["items"] if r["scheme"] == "CNOPS"]  # noqa: E731
    assert cnops(before) == ["150.00"]
    assert first.exit_code == 0 and "added     tariffs:CNOPS:cnops-2027-01-01" in first.output
    assert again.exit_code == 0 and "added" not in again.output.replace("unchanged", "")
    assert edited.exit_code == 2 and "already imported with other content" in edited.output
    assert (cnops(after), cnops(earlier)) == (["300.00"], ["150.00"])
    assert stored == 3  # CNOPS 2013, CNSS 2020, CNOPS 2027: nothing written twice
