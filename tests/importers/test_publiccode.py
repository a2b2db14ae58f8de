"""publiccode.yml in, from a real server on 127.0.0.1, and out, as the standard 0.4 requires."""

import yaml

from app.core.db import session_scope
from app.initiatives import reads
from importers.runner import ImportOptions, run_import
from tests.factories import make_initiative
from tests.importers.conftest import Reply

PUBLICCODE = """\
publiccodeYmlVersion: "0.4"
name: Nattkoll
url: "https://git.example.se/sundsvall/nattkoll.git"
landingURL: "https://nattkoll.example.se"
platforms:
  - web
  - android
categories:
  - local-government
developmentStatus: stable
softwareType: standalone/web
description:
  en:
    shortDescription: Remote night-time supervision
    longDescription: English text.
  sv:
    shortDescription: Digital nattillsyn
    longDescription: >
      Nattkoll ersätter nattliga tillsynsbesök med kameror
      hos brukare som vill det.
    features:
      - Kameratillsyn
legal:
  license: EUPL-1.2
maintenance:
  type: internal
  contacts:
    - name: Anna Andersson
localisation:
  localisationReady: true
  availableLanguages:
    - sv
"""

# Standard 0.4's required keys, top level and nested (publiccode.yml's schema.core).
REQUIRED = (
    "publiccodeYmlVersion",
    "name",
    "url",
    "platforms",
    "categories",
    "developmentStatus",
    "softwareType",
    "description",
    "legal",
    "maintenance",
    "localisation",
)
DEVELOPMENT_STATUSES = {"concept", "development", "beta", "stable", "obsolete"}
SOFTWARE_TYPES = {
    "standalone/mobile",
    "standalone/iot",
    "standalone/desktop",
    "standalone/web",
    "standalone/backend",
    "standalone/other",
    "addon",
    "library",
    "configurationFiles",
}


def import_publiccode(engine, settings):
    return run_import(engine, "publiccode", ImportOptions(), settings=settings)


def solution_of(engine, initiative_id):
    with session_scope(engine, write=False) as session:
        return reads.read(session, initiative_id).solution


class TestImport:
    def test_reads_the_file_into_the_solution(self, committed, source_server, importer_settings):
        source_server.route("/publiccode.yml", Reply(body=PUBLICCODE.encode(), content_type="application/yaml"))
        with session_scope(committed) as session:
            initiative = make_initiative(
                session,
                solution={
                    "name": "Gammalt namn",
                    "vendor": "Sundsvalls kommun",
                    "publiccode_url": source_server.url("/publiccode.yml"),
                },
            )
        settings = importer_settings.model_copy(update={"allow_private_addresses": True})
        run = import_publiccode(committed, settings)
        assert (run.status, run.updated, run.rejected) == ("succeeded", 1, 0)
        solution = solution_of(committed, initiative.id)
        assert solution.model_dump(mode="json") == {
            "name": "Nattkoll",
            "vendor": "Sundsvalls kommun",
            "url": "https://nattkoll.example.se/",
            "repository_url": "https://git.example.se/sundsvall/nattkoll.git",
            "publiccode_url": source_server.url("/publiccode.yml"),
            "description": "Nattkoll ersätter nattliga tillsynsbesök med kameror hos brukare som vill det.",
            "licence": "EUPL-1.2",
            "maintenance": "internal",
            "platforms": ["web", "android"],
        }
        again = import_publiccode(committed, settings)
        assert (again.updated, again.unchanged) == (0, 1)

    def test_private_addresses_are_refused_outside_tests(self, committed, source_server, importer_settings):
        source_server.route("/publiccode.yml", Reply(body=PUBLICCODE.encode()))
        with session_scope(committed) as session:
            initiative = make_initiative(
                session, solution={"name": "Nattkoll", "publiccode_url": source_server.url("/publiccode.yml")}
            )
        public_only = importer_settings.model_copy(update={"allow_private_addresses": False})
        run = import_publiccode(committed, public_only)
        assert (run.status, run.updated, run.rejected) == ("succeeded", 0, 1)
        assert source_server.requests_to("/publiccode.yml") == []
        assert solution_of(committed, initiative.id).name == "Nattkoll"

    def test_a_file_that_is_not_publiccode_is_rejected(self, committed, source_server, importer_settings):
        source_server.route("/broken.yml", Reply(body=b"name: [unclosed"))
        source_server.route("/other.yml", Reply(body=b"name: Something else\n"))
        with session_scope(committed) as session:
            for path in ("/broken.yml", "/other.yml"):
                make_initiative(session, solution={"name": "X", "publiccode_url": source_server.url(path)})
        settings = importer_settings.model_copy(update={"allow_private_addresses": True})
        run = import_publiccode(committed, settings)
        assert (run.updated, run.rejected) == (0, 2)


class TestWrite:
    def test_an_open_source_solution_gets_a_valid_publiccode_yml(self, client, session):
        initiative = make_initiative(
            session,
            status="in_operation",
            category="e_service",
            tags=["bygglov"],
            solution={
                "name": "Bygglovsguiden",
                "repository_url": "https://git.example.se/bygglov.git",
                "licence": "EUPL-1.2",
                "platforms": ["web"],
            },
            contact={"name": "Anna Andersson", "email": "anna.andersson@sundsvall.se"},
        )
        response = client.get(f"/api/v1/initiatives/{initiative.id}/publiccode.yml")
        assert response.status_code == 200
        assert response.headers["content-type"] == "application/yaml; charset=utf-8"
        document = yaml.safe_load(response.text)
        assert [key for key in REQUIRED if key not in document] == []
        assert document["publiccodeYmlVersion"] == "0.4"
        assert (document["name"], document["url"]) == ("Bygglovsguiden", "https://git.example.se/bygglov.git")
        assert document["developmentStatus"] in DEVELOPMENT_STATUSES
        assert document["softwareType"] in SOFTWARE_TYPES
        assert document["categories"] == ["digital-citizenship", "local-government"]
        description = document["description"]["sv"]
        assert len(description["shortDescription"]) <= 150
        assert 150 <= len(description["longDescription"]) <= 10_000
        assert description["features"] == ["bygglov"]
        assert document["legal"] == {"license": "EUPL-1.2"}
        assert document["maintenance"] == {
            "type": "internal",
            "contacts": [{"name": "Anna Andersson", "email": "anna.andersson@sundsvall.se"}],
        }
        assert document["localisation"] == {"localisationReady": False, "availableLanguages": ["sv"]}

    def test_a_solution_that_is_not_open_source_is_a_conflict(self, client, session):
        initiative = make_initiative(session, solution={"name": "Upphandlat system", "vendor": "Leverantör AB"})
        response = client.get(f"/api/v1/initiatives/{initiative.id}/publiccode.yml")
        assert response.status_code == 409
        assert response.headers["content-type"] == "application/problem+json"

    def test_an_unknown_initiative_is_not_found(self, client):
        response = client.get("/api/v1/initiatives/00000000-0000-4000-8000-000000000000/publiccode.yml")
        assert response.status_code == 404
