"""The demo portfolio loads into an empty registry exactly once, with its adoptions and figures."""

from datetime import date

import pytest
from sqlmodel import Session, select

from app.adoptions import service as adoption_service
from app.adoptions.models import Adoption
from app.adoptions.schemas import AdoptionCreate
from app.analytics.clusters.models import ClusterMember
from app.analytics.flags.models import ProvenMatch
from app.analytics.overlaps.models import OverlapPair, OverlapProfile
from app.changes import service as change_service
from app.core.caller import ADMIN
from app.demo.loader import Removed, load_demo, read_portfolio, remove_demo
from app.initiatives import reads as initiative_reads
from app.initiatives.models import Initiative, InitiativeDocument, StatusChange
from app.organisations import service as organisation_service
from app.organisations.models import OrganisationYear
from app.organisations.schemas import FiguresWrite
from tests.factories import make_initiative


@pytest.fixture(scope="module")
def portfolio() -> dict:
    return read_portfolio()


@pytest.fixture
def loaded(session: Session, portfolio: dict) -> dict[str, Initiative]:
    """Load the demo into the empty test registry; returns the stored initiatives by their portfolio key."""
    assert session.exec(select(Initiative)).first() is None, "the demo test needs an empty registry"
    created = load_demo(session)
    assert created == len(portfolio["initiatives"])
    by_title = {initiative.title: initiative for initiative in session.exec(select(Initiative))}
    return {entry["key"]: by_title[entry["title"]] for entry in portfolio["initiatives"]}


def test_portfolio_keys_and_titles_are_unique(portfolio):
    entries = portfolio["initiatives"]
    assert len({entry["key"] for entry in entries}) == len(entries)
    assert len({entry["title"] for entry in entries}) == len(entries)


def test_every_initiative_is_created_with_its_owner_category_and_status(session, portfolio, loaded):
    stored = {(i.title, i.owner_code, i.category, i.status) for i in session.exec(select(Initiative))}
    expected = {(e["title"], e["owner"], e["category"], e["status"]) for e in portfolio["initiatives"]}
    assert stored == expected


def test_each_status_took_effect_on_its_status_date(session, portfolio, loaded):
    for entry in portfolio["initiatives"]:
        history = session.exec(select(StatusChange).where(StatusChange.initiative_id == loaded[entry["key"]].id)).all()
        assert [(h.status, h.changed_date) for h in history] == [
            (entry["status"], date.fromisoformat(entry["status_date"]))
        ], entry["key"]


def test_loading_again_into_a_filled_registry_creates_nothing(session, portfolio, loaded):
    assert load_demo(session) == 0
    assert len(session.exec(select(Initiative)).all()) == len(portfolio["initiatives"])
    assert len(session.exec(select(Adoption)).all()) == len(portfolio["adoptions"])


def test_adoptions_land_on_the_adopted_initiatives(session, portfolio, loaded):
    stored = {(a.organisation_code, a.initiative_id): a for a in session.exec(select(Adoption))}
    assert len(stored) == len(portfolio["adoptions"])
    for entry in portfolio["adoptions"]:
        adoption = stored[(entry["organisation"], loaded[entry["initiative"]].id)]
        own = entry.get("own_initiative")
        assert adoption.status == entry["status"]
        assert adoption.since_date == date.fromisoformat(entry["since_date"])
        assert adoption.own_initiative_id == (loaded[own].id if own else None)
        assert adoption.note == entry.get("note")


def test_figures_are_recorded_per_organisation_and_year(session, portfolio, loaded):
    for entry in portfolio["figures"]:
        figures = session.get(OrganisationYear, (entry["organisation"], entry["year"]))
        assert figures is not None, (entry["organisation"], entry["year"])
        recorded = {name: getattr(figures, name) for name in entry if name not in ("organisation", "year")}
        assert recorded == {name: value for name, value in entry.items() if name not in ("organisation", "year")}


def test_participations_marked_confirmed_are_confirmed_and_the_rest_claims(session, portfolio, loaded):
    expected = {
        (entry["key"], p["organisation"]): p.get("answer", "claimed")
        for entry in portfolio["initiatives"]
        for p in entry.get("participants", [])
    }
    statuses = {
        (key, p.organisation): p.status
        for key, row in loaded.items()
        for p in initiative_reads.read(session, row.id).participants
    }
    assert statuses == expected
    assert statuses[("inera-digitala-vardmoten", "2281")] == "claimed"
    assert statuses[("gr-digitala-laromedel", "1480")] == "confirmed"


class TestDemoMarker:
    def test_every_row_the_loader_writes_is_marked(self, session, portfolio, loaded):
        assert all(i.is_demo for i in session.exec(select(Initiative)))
        assert all(a.is_demo for a in session.exec(select(Adoption)))
        assert len(session.exec(select(OrganisationYear).where(OrganisationYear.is_demo)).all()) == len(
            portfolio["figures"]
        )

    def test_demo_contacts_are_obviously_fictional(self, portfolio):
        contacts = [entry["contact"] for entry in portfolio["initiatives"] if entry.get("contact")]
        assert contacts
        for contact in contacts:
            assert contact["name"].endswith(" Exempelsson"), contact
            assert contact.get("phone") in (None, "070-000 00 00"), contact
            assert contact.get("email") is None or contact["email"].endswith("@example.se"), contact


class TestRemoveDemo:
    def test_deletes_demo_rows_and_all_that_hangs_on_them_and_nothing_else(self, session, portfolio, loaded, index):
        real = make_initiative(session, owner="0180", title="Egen e-tjänst för bygglov")
        adopter = ADMIN  # an adoption of a demo initiative by a real organisation cannot outlive it
        adoption_service.create(
            session,
            loaded["sundsvall-fallsensorer"].id,
            AdoptionCreate(organisation="0180", status="considering"),
            adopter,
        )
        organisation_service.record_figures(session, "0180", 2024, FiguresWrite(datasets_held=4), ADMIN)
        index()
        demo_ids = {initiative.id for initiative in loaded.values()}
        assert session.exec(select(ClusterMember)).first() is not None

        removed = remove_demo(session)

        assert removed.initiatives == len(portfolio["initiatives"])
        assert removed.adoptions == len(portfolio["adoptions"]) + 1
        assert removed.figures == len(portfolio["figures"])
        assert [i.id for i in session.exec(select(Initiative))] == [real.id]
        assert session.exec(select(Adoption)).all() == []
        assert {(f.organisation_code, f.year) for f in session.exec(select(OrganisationYear))} >= {("0180", 2024)}
        assert not session.exec(select(OrganisationYear).where(OrganisationYear.is_demo)).all()
        feed = change_service.list_changes(session, after=0, limit=100_000)
        deleted = {c.entity_id for c in feed if c.action == "delete"}
        assert deleted == demo_ids and removed.changes == len(demo_ids)  # the log only grows
        for table, columns in (
            (InitiativeDocument, ("initiative_id",)),
            (StatusChange, ("initiative_id",)),
            (OverlapPair, ("initiative_id", "other_id")),
            (OverlapProfile, ("initiative_id",)),
            (ClusterMember, ("initiative_id",)),
            (ProvenMatch, ("initiative_id", "proven_id")),
        ):
            named = {getattr(row, column) for row in session.exec(select(table)) for column in columns}
            assert not named & demo_ids, table.__name__
        assert index() >= 1  # the indexer builds again from what is left
        assert load_demo(session) == 0  # the real initiative keeps the demo out

    def test_without_demo_rows_nothing_is_removed(self, session):
        real = make_initiative(session)
        assert remove_demo(session) == Removed(initiatives=0, adoptions=0, figures=0, changes=0)
        assert session.get(Initiative, real.id) is not None
