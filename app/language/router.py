from functools import cache

from fastapi import APIRouter, Request, Response
from fastapi.responses import JSONResponse
from pydantic import Field
from sqlmodel import SQLModel

from app.core.negotiation import chosen
from app.core.problems import problems
from app.language.vocabulary import Concept, vocabulary

router = APIRouter(prefix="/api/v1", tags=["concepts"])

JSON, TURTLE, JSON_LD = "application/json", "text/turtle", "application/ld+json"
RDF_FORMATS = {TURTLE: "turtle", JSON_LD: "json-ld"}


class ConceptRead(SQLModel):
    id: str
    pref_label: str
    alt_labels: list[str] = Field(description="Synonyms, abbreviations, product and brand names.")
    hidden_labels: list[str] = Field(description="Common misspellings: matched, never shown.")
    facet: str = Field(description="domain, setting, service, solution or technology.")
    broader: list[str]
    narrower: list[str]
    related: list[str]
    definition: str | None


class SchemeRead(SQLModel):
    id: str
    uri: str
    version: str
    title: str
    description: str
    license: str


class ConceptList(SQLModel):
    scheme: SchemeRead
    items: list[ConceptRead]


@router.get(
    "/concepts",
    response_model=ConceptList,
    responses={
        **problems(406),
        200: {"content": {TURTLE: {}, JSON_LD: {}}, "description": "The vocabulary, as JSON or as SKOS."},
    },
)
def list_concepts(request: Request) -> Response:
    """The registry's concept vocabulary, which initiatives are annotated with: JSON, or SKOS as
    Turtle (`Accept: text/turtle`) or JSON-LD (`Accept: application/ld+json`)."""
    media_type = chosen(request, [JSON, TURTLE, JSON_LD])
    if media_type == JSON:
        return JSONResponse(_listing().model_dump(mode="json"))
    return Response(_serialised(RDF_FORMATS[media_type]), media_type=media_type)


@cache
def _listing() -> ConceptList:
    found = vocabulary()
    narrower: dict[str, list[str]] = {}
    for concept in found.concepts.values():
        for broader in concept.broader:
            narrower.setdefault(broader, []).append(concept.id)
    scheme = found.scheme
    return ConceptList(
        scheme=SchemeRead(
            id=scheme.id,
            uri=scheme.uri,
            version=scheme.version,
            title=scheme.title,
            description=scheme.description,
            license=scheme.license,
        ),
        items=[_read(concept, narrower.get(concept.id, [])) for concept in found.concepts.values()],
    )


def _read(concept: Concept, narrower: list[str]) -> ConceptRead:
    return ConceptRead(
        id=concept.id,
        pref_label=concept.pref_label,
        alt_labels=list(concept.alt_labels),
        hidden_labels=list(concept.hidden_labels),
        facet=concept.facet,
        broader=list(concept.broader),
        narrower=narrower,
        related=list(concept.related),
        definition=concept.definition,
    )


@cache
def _serialised(rdf_format: str) -> bytes:
    from app.language import skos  # rdflib is loaded only when someone asks for RDF

    return skos.graph(vocabulary()).serialize(format=rdf_format).encode()
