"""Importer configuration, read from the environment (prefix `REGISTRY_IMPORT_`)."""

from functools import lru_cache

from pydantic import Field
from pydantic_settings import BaseSettings, SettingsConfigDict

from app.core.settings import get_settings


class ImporterSettings(BaseSettings):
    model_config = SettingsConfigDict(env_prefix="REGISTRY_IMPORT_", extra="ignore")

    contact: str = Field("registry-operators@example.org", description="Address the User-Agent names.")
    timeout_seconds: float = Field(30.0, gt=0, description="Connect, read and write timeout per request.")
    retries: int = Field(4, ge=0, description="Retries after the first attempt, for connect errors, 5xx and 429.")
    backoff_seconds: float = Field(1.0, ge=0, description="First retry delay; doubles per retry, with jitter.")
    max_retry_after_seconds: float = Field(300.0, ge=0, description="Longest `Retry-After` the importer will honour.")
    requests_per_second: float = Field(2.0, gt=0, description="At most this many requests per second to one source.")
    batch_size: int = Field(500, ge=1, description="Records per database transaction.")
    allow_private: bool = Field(
        False, description="Let publiccode.yml URLs reach loopback and private addresses (tests, closed networks)."
    )

    def user_agent(self) -> str:
        return f"registret-importer/1.0 (+{get_settings().public_url}; {self.contact})"


@lru_cache
def get_importer_settings() -> ImporterSettings:
    return ImporterSettings()
