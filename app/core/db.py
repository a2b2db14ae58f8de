"""Engine, sessions and the one-transaction-per-request dependency."""

import json
from collections.abc import Collection, Iterator
from contextlib import contextmanager
from functools import cache
from pathlib import Path
from typing import Annotated, Any

from fastapi import Depends, Request
from sqlalchemy import JSON, Delete, Insert, String, bindparam, event
from sqlalchemy import exc as sa_exc
from sqlalchemy.engine import Connection, Engine, make_url
from sqlalchemy.ext.compiler import compiles
from sqlalchemy.sql.compiler import SQLCompiler
from sqlalchemy.sql.functions import FunctionElement
from sqlmodel import Session, SQLModel, create_engine

READ_METHODS = {"GET", "HEAD", "OPTIONS"}


def build_engine(database_url: str) -> Engine:
    url = make_url(database_url)
    if url.get_backend_name() == "sqlite":
        return _build_sqlite_engine(url.database)
    return create_engine(database_url, pool_pre_ping=True, pool_size=10, max_overflow=10)


def _build_sqlite_engine(database: str | None) -> Engine:
    if database and database != ":memory:":
        Path(database).parent.mkdir(parents=True, exist_ok=True)
    engine = create_engine(
        f"sqlite:///{database or ':memory:'}",
        connect_args={"check_same_thread": False, "timeout": 30},
    )
    event.listen(engine, "connect", _configure_sqlite_connection)
    event.listen(engine, "begin", _begin_sqlite_transaction)
    return engine


def _configure_sqlite_connection(dbapi_connection, _record) -> None:
    # SQLAlchemy's pysqlite recipe: let SQLAlchemy emit BEGIN itself so that
    # transactions and SAVEPOINTs behave as they do on PostgreSQL.
    dbapi_connection.isolation_level = None
    cursor = dbapi_connection.cursor()
    for pragma in ("foreign_keys=ON", "journal_mode=WAL", "synchronous=NORMAL", "busy_timeout=30000"):
        cursor.execute(f"PRAGMA {pragma}")
    cursor.close()


def _begin_sqlite_transaction(connection: Connection) -> None:
    # A write transaction takes the write lock up front (IMMEDIATE): a deferred one that
    # read first could not upgrade after another writer committed and would fail at once.
    mode = connection.get_execution_options().get("sqlite_begin", "DEFERRED")
    connection.exec_driver_sql(f"BEGIN {mode}")


def writing(engine: Engine) -> Engine:
    return engine.execution_options(sqlite_begin="IMMEDIATE")


@contextmanager
def session_scope(engine: Engine, *, write: bool = True) -> Iterator[Session]:
    """One transaction: commit on success, roll back on any error."""
    bind = writing(engine) if write else engine
    with Session(bind, expire_on_commit=False) as session, session.begin():
        yield session


def get_session(request: Request) -> Iterator[Session]:
    write = request.method not in READ_METHODS or getattr(request.state, "may_write", False)
    with session_scope(request.app.state.engine, write=write) as session:
        yield session


def may_write(request: Request) -> None:
    """For a read that may write (the change log generates its first signing key on first use):
    its transaction takes the write lock up front, as a write's does. List it before the session."""
    request.state.may_write = True


SessionDep = Annotated[Session, Depends(get_session, scope="function")]


def bulk_insert(session: Session, table: type[SQLModel], rows: list[dict[str, Any]]) -> None:
    """Insert rows of plain values (dicts with the same keys, in the same order) into `table`,
    in the session's transaction.

    On PostgreSQL through COPY: psycopg sends an executemany INSERT as one statement per row,
    which made the search index's dozens of rows per initiative most of a bulk import's time.
    """
    if not rows:
        return
    if session.get_bind().dialect.name != "postgresql":
        insert_rows(session, table, rows)
        return
    columns = SQLModel.metadata.tables[str(table.__tablename__)].c
    as_json = [isinstance(columns[name].type, JSON) for name in rows[0]]
    names = ", ".join(f'"{name}"' for name in rows[0])
    psycopg_connection = session.connection().connection.driver_connection
    assert psycopg_connection is not None  # a live connection of the session's transaction
    with (
        psycopg_connection.cursor() as cursor,
        cursor.copy(f'COPY "{table.__tablename__}" ({names}) FROM STDIN') as copy,
    ):
        for row in rows:
            copy.write_row(
                tuple(
                    json.dumps(value) if is_json else value
                    for value, is_json in zip(row.values(), as_json, strict=True)
                )
            )


def insert_rows(session: Session, table: type[SQLModel], rows: list[dict[str, Any]]) -> None:
    """Insert rows of plain values into `table` through SQLAlchemy Core, in the session's
    transaction, without the ORM's bulk insert (whose own work was a measurable part of an API
    create, in a profile)."""
    if rows:
        session.connection().execute(_insert_into(str(table.__tablename__)), rows)


@cache
def _insert_into(table_name: str) -> Insert:
    # One statement per table: SQLAlchemy works out a new statement's cache key at every use.
    return SQLModel.metadata.tables[table_name].insert()


def delete_rows(session: Session, table: type[SQLModel], column: str, values: Collection[Any]) -> None:
    """Delete the rows of `table` whose `column` holds one of `values`, through SQLAlchemy Core,
    in the session's transaction: through the session, the ORM's bulk delete (its statement's
    cache key and its sync of the session) took a fifth of an API create, in a profile. For
    tables whose rows no session holds as objects."""
    if values:
        session.connection().execute(_delete_from(str(table.__tablename__), column), {"values": list(values)})


@cache
def _delete_from(table_name: str, column: str) -> Delete:
    table = SQLModel.metadata.tables[table_name]
    return table.delete().where(table.c[column].in_(bindparam("values", expanding=True)))


def refusals(session: Session) -> tuple[type[Exception], ...]:
    """The errors by which the database refuses a row's values (a NUL in text on PostgreSQL, a
    value too long, a constraint), as opposed to losing its connection: SQLAlchemy's, and the
    driver's own, which `bulk_insert`'s COPY raises without SQLAlchemy seeing them."""
    dbapi = session.get_bind().dialect.loaded_dbapi
    return (sa_exc.DataError, sa_exc.IntegrityError, dbapi.DataError, dbapi.IntegrityError)


def database_message(error: Exception) -> str:
    """The database's own words, first line only: SQLAlchemy's message adds the statement and
    its parameters, which belong in no report."""
    message = str(getattr(error, "orig", None) or error)
    return message.splitlines()[0] if message else type(error).__name__


def refresh_planner_statistics(engine: Engine) -> None:
    """ANALYZE, so the query planner knows which indexes narrow a filter down (SQLite never
    gathers statistics by itself; PostgreSQL's autovacuum does, but not right after a bulk load)."""
    with engine.begin() as connection:
        connection.exec_driver_sql("ANALYZE")


class uuid_text(FunctionElement[str]):  # lower case, like the SQL functions it stands beside
    """A UUID column read as the text `str(uuid)` gives, made by the database: the indexer reads
    hundreds of thousands of keys at a time, and building each as a `uuid.UUID` and then a
    string took seconds of a batch."""

    type = String()
    inherit_cache = True


@compiles(uuid_text)
def _uuid_as_text(element: uuid_text, compiler: SQLCompiler, **kw: Any) -> str:
    return f"CAST({compiler.process(element.clauses, **kw)} AS TEXT)"  # PostgreSQL's text form is str's


@compiles(uuid_text, "sqlite")
def _uuid_hex_as_text(element: uuid_text, compiler: SQLCompiler, **kw: Any) -> str:
    # SQLAlchemy keeps a UUID on SQLite as its 32 hex digits, lower case.
    column = compiler.process(element.clauses, **kw)
    groups = ((1, 8), (9, 4), (13, 4), (17, 4), (21, 12))
    return "(" + " || '-' || ".join(f"substr({column}, {start}, {length})" for start, length in groups) + ")"
