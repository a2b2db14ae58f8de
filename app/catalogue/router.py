from fastapi import APIRouter, Request, Response

from app.changes import service as change_service
from app.core.db import SessionDep
from app.core.negotiation import chosen
from app.core.problems import problems

router = APIRouter(prefix="/api/v1", tags=["catalogue"])

JSON_LD, TURTLE, RDF_XML, JSON = "application/ld+json", "text/turtle", "application/rdf+xml", "application/json"
FORMATS = {JSON_LD: "json-ld", TURTLE: "turtle", RDF_XML: "xml", JSON: "json-ld"}
# Compact JSON-LD with the usual prefixes, readable by people as well as by harvesters.
CONTEXT = {
    "dcat": "http://www.w3.org/ns/dcat#",
    "dcterms": "http://purl.org/dc/terms/",
    "foaf": "http://xmlns.com/foaf/0.1/",
    "vcard": "http://www.w3.org/2006/vcard/ns#",
    "xsd": "http://www.w3.org/2001/XMLSchema#",
}


@router.get(
    "/dcat",
    responses={
        **problems(406),
        200: {
            "content": {JSON_LD: {}, TURTLE: {}, RDF_XML: {}},
            "description": "The catalogue in DCAT-AP-SE: JSON-LD, Turtle or RDF/XML by the Accept header.",
        },
    },
)
def catalogue(request: Request, session: SessionDep) -> Response:
    """The registry's datasets (initiatives, organisations, the change feed, the duplication report,
    KPIs) and their distributions in DCAT-AP-SE, for Sveriges dataportal to harvest."""
    # Imported on the first request, not at start-up: rdflib takes a worker a while to import.
    from app.catalogue import dcat

    media_type = chosen(request, list(FORMATS))
    settings = request.app.state.settings
    publisher = dcat.Publisher(settings.publisher_name, settings.contact_email, settings.public_url)
    graph = dcat.catalogue(publisher, change_service.latest_position(session).occurred_at)
    rdf_format = FORMATS[media_type]
    if rdf_format == "json-ld":
        body = graph.serialize(format=rdf_format, context=CONTEXT, auto_compact=True)
    else:
        body = graph.serialize(format=rdf_format)
    return Response(body.encode(), media_type=media_type)
