"""Operator command: adjudicate a claim file and print the explanation of benefits per line.

python -m amo_claims.explain examples/specialist_above_tariff.json [--json] [--today DATE]
    [--reference DIR]
"""

from __future__ import annotations

import datetime as dt
import json
from pathlib import Path
from typing import Annotated

import typer
from pydantic import BaseModel, ConfigDict, ValidationError

from .domain import Adjudication, Claim, Coverage, LineKey, adjudicate
from .reference_files import ReferenceFileError, load_reference


class ClaimCase(BaseModel):
    """What the operator looks at: the claim, the member's coverage, lines already paid."""

    model_config = ConfigDict(extra="forbid")

    claim: Claim
    coverage: Coverage
    history: list[LineKey] = []
    today: dt.date | None = None


COLUMNS = (
    "#",
    "Acte",
    "Date",
    "Qté",
    "Facturé",
    "Tarif",
    "Base",
    "Taux",
    "Remboursé",
    "Part assuré",
    "Décision",
)


def render(case: ClaimCase, adjudication: Adjudication) -> str:
    claim = case.claim
    out = [
        f"Dossier {claim.member_number}, bénéficiaire de rang {claim.beneficiary_rank}, "
        f"prestataire {claim.provider_id} ({claim.facility_kind}), déposé le {claim.filed_on}",
        f"Décision : {adjudication.status}   Régime : {adjudication.scheme}   "
        f"Tarif : {adjudication.tariff_version or '-'}   "
        f"Payé à : {adjudication.payee}",
        "",
    ]
    rows = [COLUMNS]
    for line in adjudication.lines:
        rows.append(
            (
                str(line.line_no),
                line.item_code,
                str(line.date),
                str(line.quantity),
                line.billed.in_dh(),
                line.tariff.in_dh() if line.tariff else "-",
                line.base.in_dh(),
                f"{line.rate} %",
                line.reimbursed.in_dh(),
                line.patient_share.in_dh(),
                line.reason,
            )
        )
    rows.append(
        (
            "",
            "Total",
            "",
            "",
            adjudication.total_billed.in_dh(),
            "",
            adjudication.total_base.in_dh(),
            "",
            adjudication.total_reimbursed.in_dh(),
            adjudication.total_patient_share.in_dh(),
            "",
        )
    )
    widths = [max(len(row[i]) for row in rows) for i in range(len(COLUMNS))]
    for row in rows:
        out.append(
            "  ".join(cell.ljust(width) for cell, width in zip(row, widths, strict=True)).rstrip()
        )
    out.append("")
    for line in adjudication.lines:
        out.append(f"Ligne {line.line_no} ({line.reason}) : {line.message}")
        out.extend(f"    {note.reason} : {note.message}" for note in line.notes)
    return "\n".join(out)


def main(
    claim_file: Annotated[Path, typer.Argument(exists=True, dir_okay=False, readable=True)],
    reference: Annotated[
        Path | None,
        typer.Option("--reference", "--tariffs", help="Reference directory (tariffs, lists)"),
    ] = None,
    today: Annotated[str | None, typer.Option(help="Adjudication date, YYYY-MM-DD")] = None,
    as_json: Annotated[bool, typer.Option("--json", help="Print the adjudication as JSON")] = False,
) -> None:
    """Print, line by line, what the fund pays on a claim and why."""
    try:
        case = ClaimCase.model_validate_json(claim_file.read_text(encoding="utf-8"))
    except ValidationError as error:
        typer.echo(f"{claim_file}: {error}", err=True)
        raise typer.Exit(2) from None
    try:
        books = load_reference(reference)
    except ReferenceFileError as error:
        typer.echo(str(error), err=True)
        raise typer.Exit(2) from None
    on = dt.date.fromisoformat(today) if today else case.today or dt.date.today()
    adjudication = adjudicate(case.claim, books, case.coverage, set(case.history), on)
    if as_json:
        typer.echo(json.dumps(adjudication.model_dump(mode="json"), ensure_ascii=False, indent=2))
    else:
        typer.echo(render(case, adjudication))


app = typer.Typer(add_completion=False)
app.command()(main)

if __name__ == "__main__":
    app()
