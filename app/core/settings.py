"""Service configuration, read from the environment only through `get_settings()`."""

import base64
import binascii
from functools import lru_cache
from pathlib import Path
from typing import Annotated

from pydantic import AliasChoices, Field, SecretStr, field_validator
from pydantic_settings import BaseSettings, NoDecode, SettingsConfigDict

DEFAULT_DATABASE_URL = "sqlite:///./var/registry.db"
PLACEHOLDER_SECRETS = {"changeme", "change-me", "secret", "admin", "password", "token"}
MIN_SECRET_LENGTH = 16
MIN_DISTINCT_CHARACTERS = 8  # "aaaaaaaabbbbbbbb" is long enough and still guessable


class Settings(BaseSettings):
    model_config = SettingsConfigDict(env_prefix="REGISTRY_", extra="ignore")

    # DATABASE_URL carries no prefix: it is the name every hosting platform already sets.
    database_url: str = Field(
        DEFAULT_DATABASE_URL,
        validation_alias=AliasChoices("DATABASE_URL", "REGISTRY_DATABASE_URL"),
    )
    admin_token: SecretStr | None = None
    session_secret: SecretStr | None = None  # signs the web's session cookie; derived from admin_token when unset
    log_level: str = "INFO"
    cors_origins: Annotated[list[str], NoDecode] = []
    max_body_bytes: int = 1_048_576
    read_cache_bytes: int = Field(32 * 1024 * 1024, ge=0)
    # Threads each worker runs the synchronous routes on (anyio's default is 40): Python runs one
    # at a time, and many only take turns (README, "The overlap indexer and the API beside it").
    worker_threads: int = Field(4, ge=1, le=200)
    public_url: str = "http://127.0.0.1:8000"
    webhook_allow_private: bool = False  # loopback and private targets, over http:// too (tests, closed networks)
    webhook_timeout_seconds: float = Field(15.0, gt=0, le=60)
    # Base64 of a raw 32-byte Ed25519 private key that signs the change log's tree heads; when
    # unset, the registry generates one once and keeps it in the database.
    log_signing_key: SecretStr | None = None
    # Who publishes the registry's open data: named in the DCAT-AP-SE catalogue (`GET /api/v1/dcat`).
    publisher_name: str = "Registret för offentlig digitalisering"
    contact_email: str = "registry-operators@example.org"
    # Where the Swedish word lists are kept as tries (`app.language.resources`); by default the
    # user's cache directory.
    language_cache_dir: Path | None = None

    @field_validator("cors_origins", mode="before")
    @classmethod
    def split_origins(cls, value: object) -> object:
        if isinstance(value, str):
            return [origin.strip() for origin in value.split(",") if origin.strip()]
        return value

    @field_validator("admin_token")
    @classmethod
    def refuse_placeholder_token(cls, value: SecretStr | None) -> SecretStr | None:
        if value is None or not value.get_secret_value():
            return None
        weakness = admin_token_weakness(value.get_secret_value())
        if weakness:
            raise ValueError(
                f"REGISTRY_ADMIN_TOKEN is refused: {weakness}. Use a random string of at least "
                f"{MIN_SECRET_LENGTH} characters, e.g. `openssl rand -hex 32`"
            )
        return value

    @field_validator("log_signing_key")
    @classmethod
    def require_raw_ed25519_key(cls, value: SecretStr | None) -> SecretStr | None:
        if value is None or not value.get_secret_value():
            return None
        try:
            raw = base64.b64decode(value.get_secret_value(), validate=True)
        except binascii.Error:
            raw = b""
        if len(raw) != 32:
            raise ValueError(
                "REGISTRY_LOG_SIGNING_KEY must be the standard base64 of a raw 32-byte Ed25519 private key"
            )
        return value

    @property
    def is_sqlite(self) -> bool:
        return self.database_url.startswith("sqlite")


def admin_token_weakness(secret: str) -> str | None:
    """Why a token is too weak to guard every write, or None."""
    if secret.lower() in PLACEHOLDER_SECRETS:
        return "it is a placeholder"
    if len(secret) < MIN_SECRET_LENGTH:
        return f"it has {len(secret)} characters"
    if any(character.isspace() for character in secret):
        return "it contains whitespace"
    if len(set(secret)) < MIN_DISTINCT_CHARACTERS:
        return f"it uses only {len(set(secret))} different characters"
    return None


@lru_cache
def get_settings() -> Settings:
    return Settings()
