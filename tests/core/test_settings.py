"""Every setting is documented in README's tables, placeholder secrets are refused, and a worker
serves as many requests at once as its setting says."""

from pathlib import Path

import pytest
from anyio import to_thread
from fastapi.testclient import TestClient
from pydantic import ValidationError
from pydantic_settings import BaseSettings

from app.core.settings import Settings
from app.main import create_app
from importers.settings import ImporterSettings
from tests.conftest import fresh_database

README = (Path(__file__).resolve().parents[2] / "README.md").read_text(encoding="utf-8")


def environment_names(settings_class: type[BaseSettings]) -> list[str]:
    prefix = settings_class.model_config.get("env_prefix", "")
    names = []
    for name, field in settings_class.model_fields.items():
        alias = field.validation_alias
        names.append(alias.choices[0] if alias is not None else f"{prefix}{name}".upper())
    return names


@pytest.mark.parametrize("name", environment_names(Settings) + environment_names(ImporterSettings))
def test_every_setting_is_in_the_readme(name):
    assert f"| `{name}` |" in README, f"{name} is not documented in README.md's settings tables"


class TestAdminToken:
    @pytest.mark.parametrize("token", ["changeme", "short-token"])
    def test_placeholder_or_short_token_is_refused(self, token, monkeypatch):
        monkeypatch.setenv("REGISTRY_ADMIN_TOKEN", token)
        with pytest.raises(ValidationError, match="REGISTRY_ADMIN_TOKEN"):
            Settings()

    def test_cors_origins_are_comma_separated(self, monkeypatch):
        monkeypatch.setenv("REGISTRY_CORS_ORIGINS", "https://a.example.se, https://b.example.se")
        assert Settings().cors_origins == ["https://a.example.se", "https://b.example.se"]


class TestWeakAdminToken:
    @pytest.mark.parametrize(
        ("token", "reason"),
        [
            (" " * 16, "it contains whitespace"),
            ("a" * 40, "it uses only 1 different characters"),
            ("abababababababababab", "it uses only 2 different characters"),
            ("0123456789abcdef 0123", "it contains whitespace"),
            ("short-token", "it has 11 characters"),
            ("changeme", "it is a placeholder"),
        ],
    )
    def test_is_refused_with_the_reason(self, token, reason, monkeypatch):
        monkeypatch.setenv("REGISTRY_ADMIN_TOKEN", token)
        with pytest.raises(ValidationError, match=f"REGISTRY_ADMIN_TOKEN is refused: {reason}"):
            Settings()

    def test_a_random_token_is_accepted(self, monkeypatch):
        monkeypatch.setenv("REGISTRY_ADMIN_TOKEN", "9f1c2e7ab04d4c1e8d5f3a6b7c8d9e0f")
        assert Settings().admin_token.get_secret_value() == "9f1c2e7ab04d4c1e8d5f3a6b7c8d9e0f"


def test_worker_threads_is_how_many_requests_a_worker_runs_at_once():
    with fresh_database("threads") as url:
        app = create_app(Settings(database_url=url, worker_threads=3))
        with TestClient(app) as client:
            threads = client.portal.call(lambda: to_thread.current_default_thread_limiter().total_tokens)
        app.state.engine.dispose()
    assert threads == 3
