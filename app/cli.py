"""The `registry` command: serve, migrate, seed, load demo data, export, mint keys."""

import os
import signal
import socket
import sys
import threading
from enum import StrEnum
from pathlib import Path
from typing import Annotated, TextIO

import typer
from pydantic import ValidationError
from rich.console import Console
from rich.progress import Progress
from sqlalchemy.engine import Engine
from sqlmodel import Session

from app import background as background_roles
from app.analytics.indexer import loop as indexer_loop
from app.analytics.indexer import state as indexer_state
from app.assembly import assemble
from app.core import backup as database_backup
from app.core import local_secret, migrations
from app.core.caller import ADMIN
from app.core.db import build_engine, refresh_planner_statistics, session_scope
from app.core.problems import Problem
from app.core.settings import Settings, get_settings
from app.demo import loader as demo_loader
from app.initiatives import documents as initiative_documents
from app.initiatives import export as initiative_export
from app.initiatives import reads as initiative_reads
from app.initiatives import service as initiative_service
from app.organisations import seed as organisation_seed
from app.organisations import service as organisation_service
from app.sources import service as source_service
from app.sources.schemas import SourceCreate
from app.supervisor import command as supervisor_command
from importers.cli import import_cli
from importers.pipeline import describe_validation_error

cli = typer.Typer(
    help="Registret för offentlig digitalisering: the shared registry's command line.",
    no_args_is_help=True,
    pretty_exceptions_enable=False,
)
console = Console(stderr=True)
REANNOTATE_BATCH = 500
LOOPBACK = "127.0.0.1"
LOCAL_SECRET_PATH = Path("var/session-secret")  # beside the embedded database's default file
cli.add_typer(import_cli, name="import")


class ExportFormat(StrEnum):
    jsonl = "jsonl"
    csv = "csv"


def _engine():
    return build_engine(get_settings().database_url)


@cli.command()
def migrate() -> None:
    """Bring the database schema to the newest version."""
    _migrate(get_settings().database_url)
    console.print("[green]Database is at the newest schema.[/green]")


def _migrate(database_url: str) -> None:
    """Migrate, render the documents of initiatives that predate them (migration 0004), and
    annotate again those annotated with another vocabulary than the current one."""
    migrations.upgrade(database_url)
    engine = build_engine(database_url)
    with session_scope(engine) as session:
        written = initiative_documents.write_missing(session)
    if written:
        console.print(f"Rendered the documents of {written} initiatives.")
    _reannotate(engine)
    engine.dispose()


def _reannotate(engine: Engine) -> None:
    with session_scope(engine, write=False) as session:
        stale = initiative_documents.count_stale(session)
    if not stale:
        return
    with Progress(console=console) as progress:
        task = progress.add_task(f"Annotating {stale} initiatives with the vocabulary", total=stale)
        while True:
            with session_scope(engine) as session:
                done = initiative_service.reannotate(session, REANNOTATE_BATCH)
            if not done:
                return
            progress.advance(task, done)


@cli.command()
def seed() -> None:
    """Add or refresh the reference organisations (idempotent)."""
    with session_scope(_engine()) as session:
        report = _seed(session)
    console.print(
        f"[green]{report.organisations} organisations and {report.memberships} memberships are in place.[/green]"
    )


@cli.command()
def demo(
    remove: Annotated[
        bool, typer.Option("--remove", help="Delete the demo records (only those) instead of loading them.")
    ] = False,
) -> None:
    """Load the demo portfolio (Swedish example initiatives) into an empty registry, or remove it."""
    if remove:
        with session_scope(_engine()) as session:
            removed = demo_loader.remove_demo(session)
        console.print(
            f"Removed {removed.initiatives} demo initiatives, {removed.adoptions} adoptions, "
            f"{removed.figures} yearly figures; {removed.changes} deletions appended to the change log."
        )
        return
    with session_scope(_engine()) as session:
        loaded = demo_loader.load_demo(session)
    console.print(
        f"Loaded {loaded} demo initiatives." if loaded else "The registry already has initiatives; nothing loaded."
    )


@cli.command()
def serve(
    host: Annotated[str, typer.Option(help="Interface to listen on.")] = "127.0.0.1",
    port: Annotated[int, typer.Option(help="TCP port.")] = 8000,
    workers: Annotated[int, typer.Option(min=1, help="Worker processes.")] = 1,
    with_demo: Annotated[
        bool, typer.Option("--demo", help="Load the demo portfolio if the registry is empty.")
    ] = False,
    timeout_worker_healthcheck: Annotated[
        int,
        typer.Option(
            min=1,
            help="Seconds a worker may take to answer the supervisor's health check before it is "
            "restarted; raise it on a slow or busy machine.",
        ),
    ] = 30,
    timeout_graceful_shutdown: Annotated[
        int,
        typer.Option(min=1, help="Seconds in-flight requests may take to finish after SIGTERM."),
    ] = 30,
) -> None:
    """Migrate, seed if needed, and serve the registry."""
    _check_port_is_free(host, port)
    settings = get_settings()
    _migrate(settings.database_url)
    _use_local_session_secret(settings)
    engine = _engine()
    with session_scope(engine) as session:
        _prepare(session, with_demo)
        demo_key = _demo_sign_in_key(session) if with_demo and host == LOOPBACK else None
    engine.dispose()
    console.print(f"Serving on http://{host}:{port} (API docs at /docs)")
    if demo_key is not None:
        name, secret = demo_key
        console.print(f"Try the forms: sign in at http://{host}:{port}/logga-in as {name} (demo) with this key:")
        print(secret, flush=True)
    # The background roles run in a process of their own (the API workers hold no index), watched
    # with the workers by a supervisor that holds none of the registry: this process becomes it.
    sys.stdout.flush()
    sys.stderr.flush()
    supervisor = supervisor_command(
        host=host,
        port=port,
        workers=workers,
        log_level=settings.log_level.lower(),
        timeout_worker_healthcheck=timeout_worker_healthcheck,
        timeout_graceful_shutdown=timeout_graceful_shutdown,
    )
    os.execv(supervisor[0], supervisor)


def _check_port_is_free(host: str, port: int) -> None:
    """One clear line instead of uvicorn's traceback when something already listens there."""
    with socket.socket(socket.AF_INET6 if ":" in host else socket.AF_INET) as probe:
        try:
            probe.bind((host, port))
        except OSError as error:
            console.print(
                f"[red]Cannot listen on {host}:{port}: {error.strerror}. Another server is probably running there; "
                f"stop it or choose another port (registry serve --port 8080, or make run PORT=8080).[/red]"
            )
            raise typer.Exit(1) from None


def _use_local_session_secret(settings: Settings) -> None:
    """Without REGISTRY_SESSION_SECRET or an admin token the web could not sign anyone in: use a
    secret kept in var/ (made once, mode 0600), handed to the workers through their environment."""
    if settings.session_secret is not None or settings.admin_token is not None:
        return
    os.environ["REGISTRY_SESSION_SECRET"] = local_secret.read_or_create(LOCAL_SECRET_PATH)
    get_settings.cache_clear()


def _demo_sign_in_key(session: Session) -> tuple[str, str] | None:
    """Only while the demo's records are there: a key for a demo organisation is for trying things out."""
    return demo_loader.demo_sign_in_key(session) if initiative_reads.exists_demo(session) else None


@cli.command()
def indexer() -> None:
    """Run only the overlap indexer (for deployments that keep it apart from the API)."""
    background(role=[indexer_loop.ROLE])


@cli.command("rebuild-index")
def rebuild_index() -> None:
    """Make the overlap indexer build its tables from scratch instead of taking them up (after a
    code change that alters what a list holds without a new method, or to check the tables)."""
    with session_scope(_engine()) as session:
        indexer_state.invalidate(session)
    console.print("The overlap indexer builds every table again at its next batch (within a second if it runs).")


@cli.command()
def background(
    role: Annotated[list[str] | None, typer.Option(help="A role to run (repeatable); all when left out.")] = None,
) -> None:
    """Run the background roles (see app/background.py) until interrupted; `registry serve`
    starts this beside its API workers."""
    names = role or background_roles.roles()
    unknown = sorted(set(names) - set(background_roles.roles()))
    if unknown:
        console.print(f"[red]No such role: {', '.join(unknown)}. Roles: {', '.join(background_roles.roles())}.[/red]")
        raise typer.Exit(2)
    stop = threading.Event()
    for number in (signal.SIGINT, signal.SIGTERM):
        signal.signal(number, lambda *_: stop.set())
    console.print(f"Running the background roles: {', '.join(names)}.")
    engine = _engine()
    # Planner statistics for the data as it is now (SQLite never gathers them by itself), taken
    # here rather than before the API starts, which it would delay by seconds on a large registry.
    refresh_planner_statistics(engine)
    background_roles.run(engine, names, stop)
    engine.dispose()


def _prepare(session: Session, with_demo: bool) -> None:
    if not organisation_seed.is_seeded(session):
        _seed(session)
    if with_demo:
        demo_loader.load_demo(session)


def _seed(session: Session) -> organisation_seed.SeedReport:
    """Seed the reference organisations; initiatives of any whose name or county changed are
    written again, since their documents show it."""
    report = organisation_seed.seed(session)
    initiative_documents.rewrite_owned_by(session, report.relabelled)
    return report


@cli.command()
def export(
    output_format: Annotated[ExportFormat, typer.Option("--format", help="jsonl or csv.")] = ExportFormat.jsonl,
    output: Annotated[Path | None, typer.Option(help="File to write; standard output when left out.")] = None,
    include_archived: Annotated[bool, typer.Option(help="Include archived initiatives.")] = False,
) -> None:
    """Write every initiative as JSON lines or CSV."""
    with session_scope(_engine(), write=False) as session:
        if output is None:
            count = _export(session, output_format, sys.stdout, include_archived)
        else:
            with output.open("w", encoding="utf-8", newline="") as file:
                count = _export(session, output_format, file, include_archived)
    console.print(f"Exported {count} initiatives.")


def _export(session: Session, output_format: ExportFormat, file: TextIO, include_archived: bool) -> int:
    records = initiative_export.iter_records(session, include_archived=include_archived)
    if output_format is ExportFormat.jsonl:
        return initiative_export.write_jsonl(records, file)
    return initiative_export.write_csv(records, file)


@cli.command("backup")
def backup_database(
    path: Annotated[Path, typer.Argument(help="The new file to write the copy to.")],
) -> None:
    """Copy the embedded SQLite database to PATH while the registry keeps serving (consistent)."""
    _run_backup(database_backup.backup, path)
    console.print(f"[green]Backed up the database to {path}.[/green]")


@cli.command("restore")
def restore_database(
    path: Annotated[Path, typer.Argument(help="A file written by `registry backup`.")],
) -> None:
    """Replace the embedded SQLite database's contents with the backup at PATH."""
    _run_backup(database_backup.restore, path)
    _migrate(get_settings().database_url)  # a backup from an older release is brought up to date
    console.print(f"[green]Restored the database from {path}.[/green]")


def _run_backup(action, path: Path) -> None:
    try:
        action(get_settings().database_url, path)
    except database_backup.BackupError as error:
        console.print(f"[red]{error}[/red]")
        raise typer.Exit(2) from None


@cli.command("create-key")
def create_key(
    org_code: Annotated[str, typer.Argument(help="The organisation's code, e.g. 2281.")],
    label: Annotated[str | None, typer.Option(help="Who or what will use the key.")] = None,
) -> None:
    """Mint an API key for an organisation and print its secret (shown only once)."""
    with session_scope(_engine()) as session:
        if organisation_service.get(session, org_code) is None:
            console.print(f"[red]No organisation has the code {org_code!r}. Run `registry seed` first?[/red]")
            raise typer.Exit(2)
        key, secret = organisation_service.mint_key(session, org_code, label, ADMIN)
    console.print(f"Key {key.id} for {org_code}. Store the secret now; it is not shown again:")
    print(secret)


@cli.command("create-source")
def create_source(
    name: Annotated[str, typer.Argument(help="The partner system's name, e.g. stratsys-2281.")],
    owner: Annotated[str, typer.Option(help="Code of the organisation whose keys may write to it, e.g. 2281.")],
    description: Annotated[str | None, typer.Option(help="What the system is.")] = None,
) -> None:
    """Register a partner source: only its owner's keys (and the admin) may write to it through the API."""
    try:
        data = SourceCreate(name=name, owner=owner, description=description)
        with session_scope(_engine()) as session:
            source_service.register(session, data)
    except ValidationError as error:
        console.print(f"[red]{describe_validation_error(error)}[/red]")
        raise typer.Exit(2) from None
    except Problem as problem:
        console.print(f"[red]{problem.detail or problem.title}[/red]")
        raise typer.Exit(2) from None
    console.print(f"Source {name} registered; keys of {owner} may write to it.")


@cli.command()
def verify(
    url: Annotated[str, typer.Argument(help="The registry's base URL, e.g. https://registry.example.se.")],
    state: Annotated[Path, typer.Option(help="Where the last verified tree head is kept between runs.")] = Path(
        "registry-verify.json"
    ),
) -> None:
    """Mirror a registry's change feed and verify it against its signed tree head, and that the
    log only grew since the head checked last time; exits 1 on any mismatch."""
    # Imported here: the client side of the log is needed by this command alone.
    import httpx

    from app.changes.log import mirror

    try:
        with httpx.Client(base_url=url.rstrip("/"), timeout=60, follow_redirects=False) as client:
            verified = mirror.verify(client, state)
    except mirror.VerificationFailed as failure:
        console.print(f"[red]Verification failed:[/red] {failure}")
        raise typer.Exit(1) from failure
    since = f"; consistent with the {verified.previous_size} entries checked before" if verified.previous_size else ""
    console.print(f"Verified {verified.tree_size} entries, root {verified.root_hash}{since}.")


def main() -> None:
    assemble()
    # SIGTERM (docker stop, systemd) unwinds like Ctrl-C, so work in progress records its state:
    # an import run is finished as failed with its counts so far. `serve` and `background`
    # install their own handlers.
    signal.signal(signal.SIGTERM, signal.default_int_handler)
    cli()


if __name__ == "__main__":
    main()
