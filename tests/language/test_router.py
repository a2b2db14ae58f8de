"""The vocabulary published: JSON, and SKOS as Turtle or JSON-LD."""

from rdflib import RDF, SKOS, Graph, URIRef

from app.language.vocabulary import vocabulary


def test_json_lists_every_concept_with_its_relations(client):
    body = client.get("/api/v1/concepts").json()
    assert body["scheme"]["version"] == vocabulary().scheme.version
    by_id = {item["id"]: item for item in body["items"]}
    assert len(by_id) == len(vocabulary().concepts)
    night = by_id["digital-nattillsyn"]
    assert night["pref_label"] == "digital nattillsyn" and night["facet"] == "solution"
    for broader in night["broader"]:
        assert "digital-nattillsyn" in by_id[broader]["narrower"]


def test_turtle_and_json_ld_are_the_same_skos_graph(client):
    graphs = []
    for media_type, rdf_format in (("text/turtle", "turtle"), ("application/ld+json", "json-ld")):
        response = client.get("/api/v1/concepts", headers={"Accept": media_type})
        assert response.status_code == 200 and response.headers["content-type"].startswith(media_type)
        graphs.append(Graph().parse(data=response.text, format=rdf_format))
    turtle, json_ld = graphs
    assert len(turtle) == len(json_ld)
    concepts = set(turtle.subjects(RDF.type, SKOS.Concept))
    assert len(concepts) == len(vocabulary().concepts)
    scheme = URIRef(vocabulary().scheme.uri)
    assert (scheme, RDF.type, SKOS.ConceptScheme) in turtle
    night = URIRef(vocabulary().scheme.uri + "digital-nattillsyn")
    labels = {str(label) for label in turtle.objects(night, SKOS.prefLabel)}
    assert labels == {"digital nattillsyn"}


def test_an_unserved_media_type_is_406(client):
    response = client.get("/api/v1/concepts", headers={"Accept": "application/xml"})
    assert response.status_code == 406 and response.headers["content-type"] == "application/problem+json"
