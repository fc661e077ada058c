"""Settings for the web page and API: settings.toml [web] plus WEB_* environment variables (and .env)."""

from __future__ import annotations

from pathlib import Path

from pydantic import Field, SecretStr
from pydantic_settings import SettingsConfigDict

from index.settings import PROJECT_ROOT, TomlSettings


class WebSettings(TomlSettings):
    """Where the web app listens, who may use it, how fast, and where readers' notebooks are kept."""

    model_config = SettingsConfigDict(toml_table_header=("web",), env_prefix="WEB_")

    host: str = Field(default="127.0.0.1", description="Address to bind; localhost unless a deployment says otherwise.")
    port: int = Field(default=8000, ge=1, le=65535, description="Port to bind.")
    # Optional for a shared deployment: every page and API call then needs it (Authorization: Bearer, or the
    # cookie the page's token form sets). Environment or .env only, never settings.toml.
    access_token: SecretStr | None = Field(default=None, description="Shared access token (WEB_ACCESS_TOKEN).")
    allowed_clients: list[str] = Field(
        default_factory=list, description="Client addresses or networks (CIDR) allowed; empty: any client."
    )
    trusted_proxies: list[str] = Field(
        default_factory=list,
        description="Reverse-proxy addresses whose X-Forwarded-For names the real client; empty: trust none.",
    )
    rate_per_minute: float = Field(default=30, gt=0, description="Requests a client may make per minute after its burst.")
    rate_burst: int = Field(default=10, ge=1, description="Requests a client may make at once.")
    max_concurrent_answers: int = Field(
        default=2, ge=1, le=64, description="Engine calls at once; the engine is CPU-bound, one per core."
    )
    page_size: int = Field(default=5, ge=1, le=20, description="Passages per answer page.")
    max_top_k: int = Field(default=20, ge=1, le=100, description="Most passages an API ask may request.")
    context_radius: int = Field(default=1, ge=1, le=3, description="Passages either side shown as context.")
    secure_cookies: bool = Field(default=False, description="Mark cookies Secure (set when served over HTTPS).")
    reload_check_s: float = Field(
        default=10, ge=0, description="How often to look for a rebuilt index; 0 turns automatic reloads off."
    )
    state_dir: Path = Field(default=PROJECT_ROOT / "var" / "web", description="Readers' settings and notebooks.")
