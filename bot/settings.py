"""Settings for the Telegram bot and terminal chat: settings.toml [bot] plus BOT_* env (and .env)."""

from __future__ import annotations

from pathlib import Path
from typing import Literal

from pydantic import Field, SecretStr
from pydantic_settings import SettingsConfigDict

from index.settings import PROJECT_ROOT, TomlSettings

MISSING_TOKEN_MESSAGE = (
    "error: BOT_TOKEN is not set. Export BOT_TOKEN=<token from @BotFather> or put it in .env, "
    "or run `python -m bot chat` for the terminal chat."
)


class BotSettings(TomlSettings):
    """How the bot reaches Telegram, how it pages answers and when it speaks in groups."""

    model_config = SettingsConfigDict(toml_table_header=("bot",), env_prefix="BOT_")

    # None is allowed so the terminal chat runs without a token; `python -m bot` checks it at startup.
    token: SecretStr | None = Field(default=None, description="From @BotFather; environment or .env only.")
    base_url: str = Field(default="https://api.telegram.org/bot", description="Bot API endpoint prefix.")
    page_size: int = Field(default=3, ge=1, le=10, description="Passages per answer message.")
    inline_results: int = Field(default=5, ge=1, le=20, description="Passages offered in inline mode.")
    context_radius: int = Field(default=1, ge=1, le=3, description="Passages either side for 'context'.")
    group_mode: Literal["addressed", "all"] = Field(
        default="addressed",
        description="In groups, answer only when mentioned, replied to or commanded ('addressed'), or every text.",
    )
    state_dir: Path = Field(
        default=PROJECT_ROOT / "var" / "bot", description="Where questions behind 'more results' buttons are kept."
    )
    webhook_url: str | None = Field(default=None, description="Public HTTPS URL; set it for webhook mode.")
    webhook_listen: str = Field(default="127.0.0.1", description="Address the webhook server binds.")
    webhook_port: int = Field(default=8443, ge=1, le=65535, description="Port the webhook server binds.")
    webhook_secret: SecretStr | None = Field(
        default=None, description="Checked against X-Telegram-Bot-Api-Secret-Token on each webhook call."
    )
