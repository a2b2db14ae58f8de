"""The registry's datasets described in DCAT-AP-SE (the Swedish profile of DCAT-AP), so that
Sveriges dataportal and other catalogues can harvest them."""

from dataclasses import dataclass
from datetime import datetime

from rdflib import DCAT, DCTERMS, FOAF, RDF, XSD, Graph, Literal, Namespace, URIRef

VCARD = Namespace("http://www.w3.org/2006/vcard/ns#")
EU = "http://publications.europa.eu/resource/authority/"
THEME = Namespace(f"{EU}data-theme/")
FREQUENCY = Namespace(f"{EU}frequency/")
FILE_TYPE = Namespace(f"{EU}file-type/")
IANA = Namespace("https://www.iana.org/assignments/media-types/")
CC0 = URIRef("http://creativecommons.org/publicdomain/zero/1.0/")
SWEDEN = URIRef(f"{EU}country/SWE")
SWEDISH = URIRef(f"{EU}language/SWE")
PUBLISHER_TYPE = URIRef("http://purl.org/adms/publishertype/NationalAuthority")


@dataclass(frozen=True)
class Distribution:
    slug: str
    title: str
    path: str  # below the public URL
    media_type: str
    file_type: str | None  # the EU file-type authority's code, where it has one
    download: bool  # a whole file (downloadURL) rather than a paged API (accessURL only)


@dataclass(frozen=True)
class Dataset:
    slug: str
    title: str
    description: str
    keywords: tuple[str, ...]
    themes: tuple[str, ...]
    frequency: str
    distributions: tuple[Distribution, ...]


def _api(path: str, slug: str = "api", title: str = "API (JSON)") -> Distribution:
    return Distribution(slug, title, path, "application/json", "JSON", download=False)


# Only what the registry really serves: every dataset has its JSON API; the initiatives also
# download whole as CSV and JSON Lines (the web's downloads).
DATASETS = (
    Dataset(
        "initiatives",
        "Offentlig sektors digitaliseringsinitiativ",
        "Kommuners, regioners och myndigheters digitaliseringsinitiativ: syfte, status, budget, lösning, "
        "deltagande organisationer, nyttor och införanden.",
        ("digitalisering", "initiativ", "kommuner", "regioner", "välfärdsteknik", "e-tjänster"),
        ("GOVE", "TECH"),
        "CONT",
        (
            _api("/api/v1/initiatives"),
            Distribution("csv", "Hela registret som CSV", "/initiativ.csv", "text/csv", "CSV", download=True),
            Distribution(
                "jsonl", "Hela registret som JSON Lines", "/initiativ.jsonl", "application/jsonl", None, download=True
            ),
        ),
    ),
    Dataset(
        "organisations",
        "Organisationer och deras årliga nyckeltal",
        "Kommuner, regioner, kommunalförbund och bolag med invånarantal och kostnader ur Kolada och egna "
        "rapporterade nyckeltal per år.",
        ("kommuner", "regioner", "kommunalförbund", "Kolada"),
        ("GOVE", "REGI"),
        "ANNUAL",
        (_api("/api/v1/organisations"),),
    ),
    Dataset(
        "changes",
        "Ändringsflödet (verifierbar logg)",
        "Varje skrivning i registret i ordning, som ett signerat Merkleträd (RFC 9162) som speglar kan "
        "verifiera: initiativ, införanden, bedömningar, organisationers nyckeltal och API-nycklar.",
        ("ändringslogg", "synkronisering", "transparens"),
        ("GOVE",),
        "CONT",
        (_api("/api/v1/changes"),),
    ),
    Dataset(
        "overlaps",
        "Dubbelarbetsrapporten",
        "Grupper av initiativ som liknar varandra över organisationsgränser: kandidater för samverkan.",
        ("dubbelarbete", "samverkan", "överlapp"),
        ("GOVE", "TECH"),
        "CONT",
        (_api("/api/v1/overlaps"),),
    ),
    Dataset(
        "kpis",
        "Nyckeltal för digitalisering per organisation",
        "Beräknade nyckeltal per organisation och år: digitaliseringsinvesteringar, realiserad nytta och "
        "dataanvändning.",
        ("nyckeltal", "uppföljning", "nyttorealisering"),
        ("GOVE", "ECON"),
        "ANNUAL",
        (
            _api("/api/v1/kpis?level=national", "national", "API (JSON): hela landet"),
            _api("/api/v1/kpis?level=county", "county", "API (JSON): per län"),
        ),
    ),
)


@dataclass(frozen=True)
class Publisher:
    name: str
    email: str
    public_url: str


def catalogue(publisher: Publisher, modified: datetime | None) -> Graph:
    base = publisher.public_url.rstrip("/")
    graph = Graph()
    for prefix, namespace in (("dcat", DCAT), ("dcterms", DCTERMS), ("foaf", FOAF), ("vcard", VCARD)):
        graph.bind(prefix, namespace)
    catalogue_uri = URIRef(f"{base}/api/v1/dcat")
    agent = URIRef(f"{base}/#publisher")
    contact = URIRef(f"{base}/#contact")
    service = URIRef(f"{base}/api/v1")
    _describe_publisher(graph, agent, contact, publisher)
    graph.add((catalogue_uri, RDF.type, DCAT.Catalog))
    _text(graph, catalogue_uri, DCTERMS.title, "Registret för offentlig digitalisering")
    _text(
        graph,
        catalogue_uri,
        DCTERMS.description,
        "Öppna data ur det gemensamma registret över offentlig sektors digitaliseringsinitiativ.",
    )
    graph.add((catalogue_uri, DCTERMS.publisher, agent))
    graph.add((catalogue_uri, DCTERMS.license, CC0))
    graph.add((catalogue_uri, DCTERMS.language, SWEDISH))
    graph.add((catalogue_uri, DCTERMS.spatial, SWEDEN))
    graph.add((catalogue_uri, FOAF.homepage, URIRef(f"{base}/")))
    graph.add((catalogue_uri, DCAT.service, service))
    if modified is not None:
        graph.add((catalogue_uri, DCTERMS.modified, Literal(modified, datatype=XSD.dateTime)))
    graph.add((service, RDF.type, DCAT.DataService))
    _text(graph, service, DCTERMS.title, "Registrets API")
    graph.add((service, DCAT.endpointURL, service))
    graph.add((service, DCAT.endpointDescription, URIRef(f"{base}/openapi.json")))
    graph.add((service, DCTERMS.publisher, agent))
    graph.add((service, DCTERMS.license, CC0))
    for dataset in DATASETS:
        dataset_uri = URIRef(f"{base}/api/v1/dcat#{dataset.slug}")
        graph.add((catalogue_uri, DCAT.dataset, dataset_uri))
        graph.add((service, DCAT.servesDataset, dataset_uri))
        _describe_dataset(graph, dataset_uri, dataset, base, agent, contact, service, modified)
    return graph


def _describe_publisher(graph: Graph, agent: URIRef, contact: URIRef, publisher: Publisher) -> None:
    graph.add((agent, RDF.type, FOAF.Agent))
    graph.add((agent, FOAF.name, Literal(publisher.name, lang="sv")))
    graph.add((agent, DCTERMS.type, PUBLISHER_TYPE))
    graph.add((agent, FOAF.mbox, URIRef(f"mailto:{publisher.email}")))
    graph.add((contact, RDF.type, VCARD.Organization))
    graph.add((contact, VCARD.fn, Literal(publisher.name, lang="sv")))
    graph.add((contact, VCARD.hasEmail, URIRef(f"mailto:{publisher.email}")))


def _describe_dataset(
    graph: Graph,
    uri: URIRef,
    dataset: Dataset,
    base: str,
    agent: URIRef,
    contact: URIRef,
    service: URIRef,
    modified: datetime | None,
) -> None:
    graph.add((uri, RDF.type, DCAT.Dataset))
    _text(graph, uri, DCTERMS.title, dataset.title)
    _text(graph, uri, DCTERMS.description, dataset.description)
    graph.add((uri, DCTERMS.publisher, agent))
    graph.add((uri, DCAT.contactPoint, contact))
    graph.add((uri, DCTERMS.accrualPeriodicity, FREQUENCY[dataset.frequency]))
    graph.add((uri, DCTERMS.spatial, SWEDEN))
    graph.add((uri, DCTERMS.language, SWEDISH))
    graph.add((uri, DCAT.landingPage, URIRef(f"{base}/")))
    if modified is not None:
        graph.add((uri, DCTERMS.modified, Literal(modified, datatype=XSD.dateTime)))
    for theme in dataset.themes:
        graph.add((uri, DCAT.theme, THEME[theme]))
    for keyword in dataset.keywords:
        graph.add((uri, DCAT.keyword, Literal(keyword, lang="sv")))
    for distribution in dataset.distributions:
        distribution_uri = URIRef(f"{uri}-{distribution.slug}")
        graph.add((uri, DCAT.distribution, distribution_uri))
        _describe_distribution(graph, distribution_uri, distribution, base, service)


def _describe_distribution(graph: Graph, uri: URIRef, distribution: Distribution, base: str, service: URIRef) -> None:
    url = URIRef(f"{base}{distribution.path}")
    graph.add((uri, RDF.type, DCAT.Distribution))
    _text(graph, uri, DCTERMS.title, distribution.title)
    graph.add((uri, DCAT.accessURL, url))
    if distribution.download:
        graph.add((uri, DCAT.downloadURL, url))
    else:
        graph.add((uri, DCAT.accessService, service))
    graph.add((uri, DCAT.mediaType, IANA[distribution.media_type]))
    if distribution.file_type is not None:
        graph.add((uri, DCTERMS.format, FILE_TYPE[distribution.file_type]))
    graph.add((uri, DCTERMS.license, CC0))


def _text(graph: Graph, subject: URIRef, predicate: URIRef, value: str) -> None:
    graph.add((subject, predicate, Literal(value, lang="sv")))
