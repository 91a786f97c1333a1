"""`python -m amo_claims`: serve the claims service; `... prepare` creates its collections;
`... import-reference [--dir DIR]` loads reference files into its database."""

from __future__ import annotations

import asyncio
import sys
from pathlib import Path
from typing import Annotated

import typer

from amo_claims.app import create_app
from amo_claims.reference_files import ReferenceFileError, load_versions
from amo_claims.settings import Settings
from amo_shared.runtime import Runtime, serve

cli = typer.Typer(add_completion=False)


@cli.callback()
def commands() -> None:
    """Operator commands of the claims service."""


@cli.command("import-reference")
def import_reference(
    directory: Annotated[
        Path | None,
        typer.Option("--dir", help="Reference directory (default: the shipped files)"),
    ] = None,
) -> None:
    """Validate the reference files and add their versions to the database (idempotent)."""
    try:
        summary = asyncio.run(_import(directory))
    except ReferenceFileError as exc:
        typer.echo(f"reference refused:\n{exc}", err=True)
        raise typer.Exit(2) from None
    for key in summary["added"]:
        typer.echo(f"added     {key}")
    for key in summary["unchanged"]:
        typer.echo(f"unchanged {key}")


async def _import(directory: Path | None) -> dict[str, list[str]]:
    versions = load_versions(directory)
    app = create_app(Settings(import_reference_on_start=False))
    runtime: Runtime = app.state.runtime
    try:
        await app.state.schema()
        result: dict[str, list[str]] = await app.state.reference_store.import_versions(versions)
        return result
    finally:
        await runtime.mongo.close()


def main() -> None:
    if sys.argv[1:2] == ["import-reference"]:
        cli(sys.argv[1:], standalone_mode=True)
        return
    settings = Settings()
    try:
        app = create_app(settings)
    except ReferenceFileError as exc:
        # A wrong reference file must stop the service, saying which file and field are at fault.
        raise SystemExit(f"reference files refused:\n{exc}") from None
    serve(app, settings)


if __name__ == "__main__":
    main()
