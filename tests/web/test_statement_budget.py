"""An organisation's page reads each input once: at most 20 SQL statements, however large its
portfolio and however many years of figures it has (the analytics share one context, and read
the overlap tables the indexer keeps: clusters, adoptions, participations and judgements once each;
the status histories behind every year's KPIs and candidates once each; and every page asks
one row of whether demo records are present, for its banner)."""

from datetime import date

import pytest
from sqlalchemy import event

from app.core.caller import ADMIN
from app.organisations import service as organisation_service
from app.organisations.schemas import FiguresWrite
from tests.factories import make_initiative

# 20 for the page itself and 1 for the data version under which each worker keeps the county's and
# the country's KPIs (`VersionedMemo`): the measured page finds them kept by the page before it.
STATEMENT_BUDGET = 21
TRANSACTION_CONTROL = ("BEGIN", "COMMIT", "ROLLBACK", "SAVEPOINT", "RELEASE")


@pytest.fixture
def statements(engine):
    """The SQL statements the database is sent while the fixture's list is open for them."""
    sent: list[str] = []

    def record(_connection, _cursor, statement, *_args) -> None:
        if not statement.lstrip().upper().startswith(TRANSACTION_CONTROL):
            sent.append(statement)

    event.listen(engine, "before_cursor_execute", record)
    yield sent
    event.remove(engine, "before_cursor_execute", record)


def test_an_organisation_page_stays_within_its_statement_budget(app, client, session, engine, statements):
    for n in range(8):
        make_initiative(session, owner="2281", title=f"Digital nattillsyn {n}", start_date=date(2023, 1, 1))
    make_initiative(session, owner="2262", participants=[{"organisation": "2281", "role": "partner"}])
    make_initiative(session, owner="0180", status="in_operation", realised_benefit_sek_per_year=900_000)
    for year in (2023, 2024, 2025):
        organisation_service.record_figures(session, "2281", year, FiguresWrite(total_turnover_sek=10**9), ADMIN)
    client.get("/organisation/2281")  # indexes what the test wrote; the indexer does that outside requests
    app.state.index_before_requests = False
    statements.clear()
    page = client.get("/organisation/2281")
    assert page.status_code == 200 and "Digital nattillsyn 7" in page.text
    assert len(statements) <= STATEMENT_BUDGET, "\n\n".join(statements)
