"""A source can neither hold a run open nor lead it elsewhere: every request has an overall
deadline, and a run stays on its configured origin and off private addresses. Real servers on
127.0.0.1 play the sources."""

import json
import time
from pathlib import Path

import pytest

from importers.http import is_public
from importers.mapping import MAPPINGS_DIR
from importers.runner import ImportOptions, run_import
from tests.importers.conftest import DATA, FixtureServer, Reply, stored_initiatives

FIRST = "/api/v1/initiatives"


def run_pios(engine, settings, url: str, mapping: Path | None = None):
    return run_import(engine, "pios", ImportOptions(url=url, mapping_path=mapping), settings=settings)


def page_linking_to(next_url: str) -> Reply:
    document = json.loads((DATA / "pios_page1.json").read_text(encoding="utf-8"))
    document["links"]["next"] = next_url
    return Reply(body=json.dumps(document).encode())


def mapping_allowing(path: Path, origin: str) -> Path:
    text = (MAPPINGS_DIR / "pios.toml").read_text(encoding="utf-8")
    path.write_text(text.replace("allowed_origins = []", f'allowed_origins = ["{origin}"]'), encoding="utf-8")
    return path


@pytest.fixture
def other_host():
    with FixtureServer() as server:
        yield server


class TestDeadline:
    def test_a_source_trickling_a_byte_a_second_is_cut_off(self, source_server, committed, importer_settings):
        importer_settings.fetch_deadline_seconds = 1.5
        source_server.route(FIRST, Reply.file("pios_page1.json", trickle_seconds=1.0))
        started = time.monotonic()
        run = run_pios(committed, importer_settings, source_server.url(FIRST))
        assert time.monotonic() - started < 5
        assert run.status == "failed"
        assert run.error.startswith(
            f"{source_server.url(FIRST)} was cut off: its answer took longer than the 1.5 s one request may take "
            "(REGISTRY_IMPORT_FETCH_DEADLINE_SECONDS); "
        )
        assert len(source_server.requests) == 1  # not retried: a slow source stays slow


class TestStaysOnTheConfiguredHost:
    def test_a_redirect_to_another_host_is_refused(self, source_server, other_host, committed, importer_settings):
        source_server.route(FIRST, Reply(status=302, headers={"Location": other_host.url("/data")}))
        other_host.route("/data", Reply.file("pios_page2.json"))
        run = run_pios(committed, importer_settings, source_server.url(FIRST))
        assert (run.status, run.error) == (
            "failed",
            f"refused to fetch {other_host.url('/data')} (a redirect from {source_server.url(FIRST)}): it is on "
            f"another host than the source's {source_server.base_url}; list its origin in the mapping's "
            "`allowed_origins` to allow it",
        )
        assert other_host.requests == [] and stored_initiatives(committed, "pios") == []

    def test_a_next_link_to_another_host_is_refused(self, source_server, other_host, committed, importer_settings):
        source_server.route(FIRST, page_linking_to(other_host.url("/page2")))
        other_host.route("/page2", Reply.file("pios_page2.json"))
        run = run_pios(committed, importer_settings, source_server.url(FIRST))
        assert (run.status, run.error) == (
            "failed",
            f"refused to fetch {other_host.url('/page2')}: it is on another host than the source's "
            f"{source_server.base_url}; list its origin in the mapping's `allowed_origins` to allow it",
        )
        assert other_host.requests == [] and stored_initiatives(committed, "pios") == []

    def test_the_mapping_may_allow_another_origin(
        self, source_server, other_host, committed, importer_settings, tmp_path
    ):
        source_server.route(FIRST, page_linking_to(other_host.url("/page2")))
        other_host.route("/page2", Reply(status=301, headers={"Location": source_server.url("/last")}))
        source_server.route("/last", Reply.file("pios_page2.json"))
        mapping = mapping_allowing(tmp_path / "pios.toml", other_host.base_url)
        run = run_pios(committed, importer_settings, source_server.url(FIRST), mapping)
        assert (run.status, run.fetched, run.created) == ("succeeded", 5, 4)
        assert [request.path for request in other_host.requests] == ["/page2"]

    def test_a_same_host_redirect_is_followed(self, source_server, committed, importer_settings):
        source_server.route(FIRST, Reply(status=307, headers={"Location": "/moved"}))
        source_server.route("/moved", Reply.file("pios_page2.json"))
        run = run_pios(committed, importer_settings, source_server.url(FIRST))
        assert (run.status, run.fetched) == ("succeeded", 2)


class TestPrivateAddresses:
    @pytest.mark.parametrize("host", ["127.0.0.1", "localhost"])
    def test_loopback_is_refused_unless_configured(self, host, source_server, committed, importer_settings):
        importer_settings.allow_private_addresses = False
        source_server.route(FIRST, Reply.file("pios_page2.json"))
        url = source_server.url(FIRST).replace("127.0.0.1", host)
        run = run_pios(committed, importer_settings, url)
        assert run.status == "failed"
        assert run.error.startswith(f"refused to fetch {url}: ")
        assert run.error.endswith(
            "is a loopback, private or link-local address "
            "(set REGISTRY_IMPORT_ALLOW_PRIVATE_ADDRESSES=true to allow it)"
        )
        assert source_server.requests == []

    @pytest.mark.parametrize(
        ("address", "expected"),
        [
            ("127.0.0.1", False),
            ("10.1.2.3", False),
            ("192.168.0.10", False),
            ("169.254.169.254", False),
            ("::1", False),
            ("::ffff:127.0.0.1", False),
            ("fd00::1", False),
            ("193.10.1.1", True),
            ("2a00:1450:4010:c05::64", True),
        ],
    )
    def test_which_addresses_are_public(self, address, expected):
        assert is_public(address) is expected
