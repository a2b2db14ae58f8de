"""`registry import …`: run an importer from the command line, with a progress bar and a summary."""

from datetime import date, datetime
from pathlib import Path
from typing import Annotated

import typer
from rich.console import Console
from rich.progress import BarColumn, MofNCompleteColumn, Progress, TaskID, TextColumn, TimeElapsedColumn
from rich.table import Table

from app.core.db import build_engine, session_scope
from app.core.problems import Conflict
from app.core.settings import get_settings
from app.imports import service as import_service
from app.imports.models import ImportRun
from app.imports.schemas import ImportStatus
from importers.pipeline import ImportFailed
from importers.runner import ImportOptions, SourceKind, run_import

import_cli = typer.Typer(
    help="Import initiatives from pios.se, uttc.se or a spreadsheet, and figures from Kolada.", no_args_is_help=True
)
console = Console(stderr=True)
SHOWN_REJECTIONS = 20

UrlOption = Annotated[str | None, typer.Option("--url", help="Fetch from here instead of the mapping's URL.")]
SinceOption = Annotated[
    datetime | None,
    typer.Option(
        "--since", formats=["%Y-%m-%d"], help="Only records changed since this date (pios); years from it (kolada)."
    ),
]
DryRunOption = Annotated[bool, typer.Option("--dry-run", help="Validate and count; write nothing but the run record.")]


class RichProgress:
    """The pipeline's progress, as a rich progress bar on standard error."""

    def __init__(self, progress: Progress):
        self.progress = progress
        self.task: TaskID | None = None

    def start(self, description: str, total: int | None) -> None:
        if self.task is not None:
            self.progress.remove_task(self.task)
        self.task = self.progress.add_task(description, total=total)

    def advance(self, count: int) -> None:
        if self.task is not None:
            self.progress.advance(self.task, count)


@import_cli.command()
def pios(url: UrlOption = None, since: SinceOption = None, dry_run: DryRunOption = False) -> None:
    """Import initiatives from pios.se (paged JSON; see importers/mappings/pios.toml)."""
    _run("pios", ImportOptions(url=url, since=_day(since), is_dry_run=dry_run))


@import_cli.command()
def uttc(url: UrlOption = None, since: SinceOption = None, dry_run: DryRunOption = False) -> None:
    """Import initiatives from uttc.se (CSV export or HTML listing; see importers/mappings/uttc.toml)."""
    _run("uttc", ImportOptions(url=url, since=_day(since), is_dry_run=dry_run))


@import_cli.command()
def kolada(url: UrlOption = None, since: SinceOption = None, dry_run: DryRunOption = False) -> None:
    """Import population and net cost per municipality, region and year from Kolada (API v3)."""
    _run("kolada", ImportOptions(url=url, since=_day(since), is_dry_run=dry_run))


@import_cli.command("publiccode")
def import_publiccode(dry_run: DryRunOption = False) -> None:
    """Read each solution's publiccode.yml (its `publiccode_url`) into the solution."""
    _run("publiccode", ImportOptions(is_dry_run=dry_run))


@import_cli.command("file")
def import_file(
    path: Annotated[Path, typer.Argument(exists=True, dir_okay=False, readable=True, help="A .csv or .xlsx file.")],
    mapping: Annotated[
        Path | None,
        typer.Option(exists=True, dir_okay=False, help="A TOML mapping; the default knows common Swedish headers."),
    ] = None,
    owner: Annotated[str | None, typer.Option(help="Owner (code or name) of rows that name none, e.g. 2281.")] = None,
    source: Annotated[
        str | None,
        typer.Option(
            "--source",
            help="Name of the source this file is (file-NAME); default: the file's name. Give the same name to next "
            "year's renamed file. Rows are withdrawn only within one source.",
        ),
    ] = None,
    dry_run: DryRunOption = False,
) -> None:
    """Import a portfolio spreadsheet (CSV or XLSX)."""
    _run("file", ImportOptions(path=path, mapping_path=mapping, owner=owner, source=source, is_dry_run=dry_run))


def _day(moment: datetime | None) -> date | None:
    return moment.date() if moment else None


def _run(kind: SourceKind, options: ImportOptions) -> None:
    engine = build_engine(get_settings().database_url)
    columns = (TextColumn("{task.description}"), BarColumn(), MofNCompleteColumn(), TimeElapsedColumn())
    try:
        with Progress(*columns, console=console, transient=True) as progress:
            run = run_import(engine, kind, options, progress=RichProgress(progress))
        _report(engine, run)
    except (ImportFailed, Conflict) as error:
        console.print(f"[red]{error}[/red]")
        raise typer.Exit(2) from None
    finally:
        engine.dispose()
    if run.status == ImportStatus.failed:
        raise typer.Exit(1)


def _report(engine, run: ImportRun) -> None:
    table = Table(title=f"Import {run.source}{' (dry run)' if run.is_dry_run else ''}: {run.status}")
    for name in ("fetched", "created", "updated", "unchanged", "withdrawn", "rejected"):
        table.add_column(name, justify="right")
    table.add_row(
        *(str(getattr(run, name)) for name in ("fetched", "created", "updated", "unchanged", "withdrawn", "rejected"))
    )
    console.print(table)
    if run.parameters.get("ignored_columns"):
        console.print(f"Ignored columns: {', '.join(run.parameters['ignored_columns'])}")
    _print_rejections(engine, run)
    if run.error:
        console.print(f"[red]Failed: {run.error}[/red]")
    console.print(f"Run {run.id}: GET /api/v1/imports/{run.id}")


def _print_rejections(engine, run: ImportRun) -> None:
    with session_scope(engine, write=False) as session:
        rejections, _ = import_service.list_rejections(session, run.id)
    for rejection in rejections[:SHOWN_REJECTIONS]:
        console.print(f"[yellow]{rejection.location}[/yellow] {rejection.external_id or ''}: {rejection.reason}")
    if run.rejected > SHOWN_REJECTIONS:
        console.print(f"… and {run.rejected - SHOWN_REJECTIONS} more rejections.")
