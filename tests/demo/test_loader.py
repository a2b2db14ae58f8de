"""The demo portfolio loads into an empty registry exactly once, with its adoptions and figures."""

from datetime import date

import pytest
from sqlmodel import Session, select

from app.adoptions.models import Adoption
from app.demo.loader import load_demo, read_portfolio
from app.initiatives import reads as initiative_reads
from app.initiatives.models import Initiative, StatusChange
from app.organisations.models import OrganisationYear


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
