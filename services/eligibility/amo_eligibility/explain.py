"""`python -m amo_eligibility.explain case.json [--as-of YYYY-MM-DD]`: why a case is decided as it is.

For operators: prints the decision with every reason (in French), the rule version applied, each
dependant's verdict, the revalidation schedule and the document checklist.
"""

from __future__ import annotations

import json
from datetime import date
from pathlib import Path
from typing import Annotated

import typer
from pydantic import BaseModel, ConfigDict, ValidationError

from amo_eligibility.domain import decide
from amo_eligibility.domain.calendar import french
from amo_eligibility.ruleset import load_rulesets
from amo_shared.checklist import checklist_as_of
from amo_shared.events import ApplicantFacts

app = typer.Typer(add_completion=False, help=__doc__)


class CaseFile(BaseModel):
    """A case as operators write it: the applicant's facts and the dates of the application."""

    model_config = ConfigDict(extra="forbid")
    description: str = ""
    submitted_on: date
    as_of: date | None = None  # the decision date; defaults to the submission date
    applicant: ApplicantFacts


def read_case(path: Path) -> CaseFile:
    try:
        return CaseFile.model_validate(json.loads(path.read_text(encoding="utf-8")))
    except (OSError, json.JSONDecodeError, ValidationError) as exc:
        raise typer.BadParameter(f"{path}: {exc}", param_hint="CASE") from exc


def explain_case(case: CaseFile, as_of: date | None = None) -> list[str]:
    """The explanation's lines (French), for a case decided on `as_of` (or the case's own date)."""
    day = as_of or case.as_of or case.submitted_on
    facts, ruleset = case.applicant, load_rulesets().in_force(day)
    decision = decide(facts, ruleset, as_of=day, submitted_on=min(case.submitted_on, day))
    checklist = checklist_as_of(day)
    verdict = "APPROUVÉE (éligible)" if decision.approved else "REJETÉE (non éligible)"
    since = french(ruleset.effective_from)
    lines = [
        f"Dossier : {facts.first_name} {facts.last_name}, catégorie {facts.category.value}",
        f"Décision du {french(day)} : {verdict}",
        f"Règles appliquées : version {ruleset.version}, en vigueur depuis le {since}",
    ]
    if decision.coverage_start:
        until = f" jusqu'au {french(decision.coverage_until)}" if decision.coverage_until else ""
        lines.append(f"Couverture : à partir du {french(decision.coverage_start)}{until}")
    if decision.payer:
        lines.append(f"Organisme payeur : {decision.payer}")
    lines.append("Motifs :")
    lines += [
        f"  [{'OK' if r.passed else 'NON'}] {r.code} : {r.message_fr}" for r in decision.reasons
    ]
    if decision.dependants:
        lines.append("Ayants droit :")
        for v in decision.dependants:
            status = "inclus" if v.included else "exclu"
            lines.append(f"  [{status}] n°{v.index} {v.reason.code} : {v.reason.message_fr}")
    for period in decision.dependant_coverage:
        end = f"au {french(period.coverage_until)}" if period.coverage_until else "sans limite"
        lines.append(
            f"  ayant droit n°{period.dependant} couvert du {french(period.coverage_from)} {end}"
        )
    if dues := decision.revalidations:
        lines.append("Revalidations à venir :")
        for due in dues:
            who = "assuré" if due.subject is None else f"ayant droit n°{due.subject}"
            lines.append(f"  {french(due.due_date)} : {checklist.labels_fr[due.what]} ({who})")
    lines.append(f"Pièces à fournir (liste {checklist.version}) :")
    lines += [f"  - {doc.label_fr}" for doc in checklist.required_documents(facts, as_of=day)]
    return lines


@app.command()
def explain(
    case: Annotated[Path, typer.Argument(help="Case file (JSON): submitted_on, as_of, applicant.")],
    as_of: Annotated[str | None, typer.Option("--as-of", help="Decision date, YYYY-MM-DD.")] = None,
) -> None:
    """Print the decision on CASE with every reason, the rule version and the checklist."""
    try:
        day = date.fromisoformat(as_of) if as_of else None
    except ValueError as exc:
        raise typer.BadParameter(
            f"{as_of!r} is not a date (YYYY-MM-DD)", param_hint="--as-of"
        ) from exc
    try:
        lines = explain_case(read_case(case), day)
    except (LookupError, ValueError) as exc:
        typer.echo(f"Impossible de décider : {exc}", err=True)
        raise typer.Exit(code=1) from exc
    typer.echo("\n".join(lines))


if __name__ == "__main__":
    app()
