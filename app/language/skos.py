"""The vocabulary as SKOS (W3C Simple Knowledge Organization System), built with rdflib."""

from rdflib import DCTERMS, RDF, SKOS, Graph, Literal, Namespace, URIRef

from app.language.vocabulary import Vocabulary

LANGUAGE = "sv"


def graph(vocabulary: Vocabulary) -> Graph:
    scheme = vocabulary.scheme
    base = Namespace(scheme.uri)
    found = Graph()
    found.bind("skos", SKOS)
    found.bind("dcterms", DCTERMS)
    found.bind("begrepp", base)
    scheme_uri = URIRef(scheme.uri)
    found.add((scheme_uri, RDF.type, SKOS.ConceptScheme))
    found.add((scheme_uri, DCTERMS.title, Literal(scheme.title, lang=LANGUAGE)))
    found.add((scheme_uri, DCTERMS.description, Literal(scheme.description, lang=LANGUAGE)))
    found.add((scheme_uri, DCTERMS.hasVersion, Literal(scheme.version)))
    found.add((scheme_uri, DCTERMS.license, URIRef(scheme.license)))
    for concept in vocabulary.concepts.values():
        uri = base[concept.id]
        found.add((uri, RDF.type, SKOS.Concept))
        found.add((uri, SKOS.inScheme, scheme_uri))
        found.add((uri, SKOS.notation, Literal(concept.id)))
        found.add((uri, SKOS.prefLabel, Literal(concept.pref_label, lang=LANGUAGE)))
        for label in concept.alt_labels:
            found.add((uri, SKOS.altLabel, Literal(label, lang=LANGUAGE)))
        for label in concept.hidden_labels:
            found.add((uri, SKOS.hiddenLabel, Literal(label, lang=LANGUAGE)))
        if concept.definition:
            found.add((uri, SKOS.definition, Literal(concept.definition, lang=LANGUAGE)))
        if not concept.broader:
            found.add((uri, SKOS.topConceptOf, scheme_uri))
            found.add((scheme_uri, SKOS.hasTopConcept, uri))
        for broader in concept.broader:
            found.add((uri, SKOS.broader, base[broader]))
            found.add((base[broader], SKOS.narrower, uri))
        for related in concept.related:
            found.add((uri, SKOS.related, base[related]))
    return found
