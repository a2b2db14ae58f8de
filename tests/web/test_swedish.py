"""Every page of the demo registry reads as Swedish: no enum value, field name or English
abbreviation from the code shows through, and the grammar the pages build holds."""

import re

import pytest
from fastapi.testclient import TestClient
from sqlmodel import Session, select

from app.core import enums
from app.demo.loader import load_demo
from app.initiatives.models import Initiative
from app.initiatives.schemas import InitiativeRead
from app.organisations.schemas import FiguresRead
from app.web import labels
from tests.web.html import parse, text

ENUMS = (
    enums.OrganisationKind,
    enums.InitiativeStatus,
    enums.Category,
    enums.ParticipantRole,
    enums.AdoptionStatus,
    enums.ChangeAction,
    enums.ActorKind,
    enums.Flag,
    enums.Basis,
    enums.Verdict,
)
# Words the code and Swedish share ("pilot", "partner", "administration").
SWEDISH_TOO = {
    "pilot",
    "partner",
    "administration",
    "flag",
    "same",
    "status",
    "organisation",
    "version",
    "region",
    "system",
}
ENGLISH_ABBREVIATIONS = ("incl.", "e.g.", "i.e.", "verify", "not verified")


def english_words() -> set[str]:
    """Enum values and field names as the code writes them and with spaces for underscores."""
    names = {member.value for enum in ENUMS for member in enum}
    names |= set(InitiativeRead.model_fields) | set(FiguresRead.model_fields) | set(labels.INPUT_LABELS)
    names |= {"owner_population", "development_spend_sek", "effect_spend_sek", "known_need", "potential"}
    words = {form for name in names for form in (name, name.replace("_", " ")) if "_" in name or name.isalpha()}
    return {word for word in words if word not in SWEDISH_TOO and len(word) > 3}


ENGLISH = re.compile(
    r"(?<![\w/-])("
    + "|".join(re.escape(word) for word in sorted(english_words(), key=len, reverse=True))
    + r")(?![\w/-])"
)


@pytest.fixture
def demo_pages(client: TestClient, session: Session, index) -> dict[str, str]:
    """Every page of the demo registry: its visible text by path."""
    load_demo(session)
    index()
    initiatives = session.exec(select(Initiative)).all()
    codes = sorted({i.owner_code for i in initiatives} | {"gr", "adda", "sydarkivera"})
    paths = ["/", "/initiativ", "/organisation", "/dubbelarbete", "/om", "/logga-in"]
    paths += ["/karta", "/karta?niva=region&matt=behov", "/karta?matt=losning"]
    paths += [f"/initiativ/{i.id}" for i in initiatives] + [f"/organisation/{code}" for code in codes]
    pages = {}
    for path in paths:
        response = client.get(path)
        assert response.status_code == 200, path
        pages[path] = text(parse(response.text).find(".//body"))
    return pages


def test_no_page_shows_english_from_the_code(demo_pages):
    found = {path: sorted(set(ENGLISH.findall(page))) for path, page in demo_pages.items()}
    assert {path: words for path, words in found.items() if words} == {}
    abbreviations = {path: [a for a in ENGLISH_ABBREVIATIONS if a in page] for path, page in demo_pages.items()}
    assert {path: found for path, found in abbreviations.items() if found} == {}


def test_grammar_the_pages_build(demo_pages, client):
    everything = " ".join(demo_pages.values())
    assert "1 egna initiativ" not in everything
    assert "(GR)s" not in everything
    assert re.findall(r".{40}\bRpa\b.{20}", everything) == []
    assert re.findall(r".{40}\brpa\b.{20}", demo_pages["/dubbelarbete"]) == []  # tags may be lower case, labels not
    assert "användning registrerades av" not in everything or "s användning registrerades av" in everything
    federation = demo_pages["/organisation/gr"]
    assert "Kommunalförbund. Delregionalt kommunalförbund i Västra Götaland" in federation
    assert "Adda AB" in demo_pages["/organisation/adda"] and "(incl." not in demo_pages["/organisation/adda"]


class TestGenitive:
    @pytest.mark.parametrize(
        ("name", "expected"),
        [
            ("Sundsvall", "Sundsvalls"),
            ("Region Västernorrland", "Region Västernorrlands"),
            ("Göteborgsregionens kommunalförbund (GR)", "Göteborgsregionens kommunalförbund (GR):s"),
            ("SKR", "SKR:s"),
            ("Storsthlm", "Storsthlms"),
            ("Borås", "Borås"),
        ],
    )
    def test_names(self, name, expected):
        assert labels.genitive(name) == expected


def test_count_noun():
    assert labels.count_noun(1, "eget initiativ", "egna initiativ") == "1 eget initiativ"
    assert labels.count_noun(3, "eget initiativ", "egna initiativ") == "3 egna initiativ"
