"""Settings for the Telegram bot and terminal chat: settings.toml [bot] plus BOT_* env (and .env)."""

from __future__ import annotations

from pathlib import Path
from typing import Annotated, Any, Literal

from pydantic import Field, SecretStr, field_validator
from pydantic_settings import (
    BaseSettings,
    NoDecode,
    PydanticBaseSettingsSource,
    SettingsConfigDict,
    TomlConfigSettingsSource,
)

from index.settings import HOME, TomlSettings

MISSING_TOKEN_MESSAGE = (
    "error: BOT_TOKEN is not set. Export BOT_TOKEN=<token from @BotFather> or put it in .env, "
    "or run `python -m bot chat` for the terminal chat."
)


# Settings whose values are secrets: the environment or .env only, never the committed settings.toml.
SECRET_FIELDS = ("token", "webhook_secret")


class SecretInSettingsFileError(ValueError):
    """A secret was written into settings.toml; the message names it and where it belongs."""


class _TomlWithoutSecrets(TomlConfigSettingsSource):
    """settings.toml's [bot] table, refusing a secret written there (it would be committed)."""

    def __call__(self) -> dict[str, Any]:
        values = super().__call__()
        for name in SECRET_FIELDS:
            if name in values:
                raise SecretInSettingsFileError(
                    f"settings.toml [bot] sets {name}, a secret that must not be committed; delete that line and "
                    f"set BOT_{name.upper()} in the environment or .env")
        return values


IdList = Annotated[list[int], NoDecode]  # BOT_ADMINS='1,2' as well as '[1, 2]': parsed by the validator below


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
        default=HOME / "var" / "bot", description="Where questions behind 'more results' buttons are kept."
    )
    allowed_users: IdList = Field(
        default_factory=list, description="Telegram user ids who may ask; empty with allowed_chats empty: anyone."
    )
    allowed_chats: IdList = Field(
        default_factory=list, description="Chat ids (groups) whose members may ask there."
    )
    admins: IdList = Field(default_factory=list, description="User ids who may use /stats and /reload.")
    rate_per_minute: float = Field(
        default=12, gt=0, description="Questions a user may send per minute once their burst is used."
    )
    rate_burst: int = Field(default=5, ge=1, description="Questions a user may send at once.")
    max_concurrent_answers: int = Field(
        default=2, ge=1, le=64, description="Updates handled at once; the engine is CPU-bound, one per core."
    )
    telegram_rate_limit: bool = Field(
        default=True, description="Pace outgoing messages to Telegram's flood limits (PTB's AIORateLimiter)."
    )
    log_text: bool = Field(default=False, description="Log the text of messages (debugging only).")
    question_retention_days: float = Field(
        default=30, gt=0, description="Questions behind 'more results' buttons are forgotten after this."
    )
    reload_check_s: float = Field(
        default=10, ge=0, description="How often to look for a rebuilt index; 0 turns automatic reloads off."
    )
    webhook_url: str | None = Field(default=None, description="Public HTTPS URL; set it for webhook mode.")
    webhook_listen: str = Field(default="127.0.0.1", description="Address the webhook server binds.")
    webhook_port: int = Field(default=8443, ge=1, le=65535, description="Port the webhook server binds.")
    webhook_secret: SecretStr | None = Field(
        default=None, description="Checked against X-Telegram-Bot-Api-Secret-Token on each webhook call."
    )

    @classmethod
    def settings_customise_sources(
        cls,
        settings_cls: type[BaseSettings],
        init_settings: PydanticBaseSettingsSource,
        env_settings: PydanticBaseSettingsSource,
        dotenv_settings: PydanticBaseSettingsSource,
        file_secret_settings: PydanticBaseSettingsSource,
    ) -> tuple[PydanticBaseSettingsSource, ...]:
        return (init_settings, env_settings, dotenv_settings, _TomlWithoutSecrets(settings_cls))

    @field_validator("allowed_users", "allowed_chats", "admins", mode="before")
    @classmethod
    def _id_list(cls, value: object) -> object:
        # From the environment a list arrives as text: "[1, 2]", "1,2", "1 2" or "" all mean what they say.
        if not isinstance(value, str):
            return value
        words = value.strip().strip("[]").replace(",", " ").split()
        try:
            return [int(word) for word in words]
        except ValueError:
            raise ValueError("must be Telegram ids (whole numbers), separated by commas") from None
