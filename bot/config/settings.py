"""One validated settings object: defaults < klachtbot.toml < KLACHTBOT_* environment."""

from __future__ import annotations

import os
import re
import tomllib
from datetime import date
from pathlib import Path
from typing import Annotated, Any, Literal
from zoneinfo import ZoneInfo, ZoneInfoNotFoundError

import holidays
from pydantic import (
    BaseModel,
    ConfigDict,
    Field,
    SecretStr,
    ValidationError,
    field_validator,
    model_validator,
)
from pydantic_settings import (
    BaseSettings,
    PydanticBaseSettingsSource,
    SettingsConfigDict,
    TomlConfigSettingsSource,
)
from sqlalchemy.engine import URL, make_url
from sqlalchemy.exc import ArgumentError

from bot.policy.calendar import WEEKDAYS, Hours, Weekday
from bot.policy.calendar import parse_span as parse_clock_span
from bot.policy.deadlines import parse_span

DEFAULT_CONFIG_FILE = Path("klachtbot.toml")
CONFIG_ENV_VAR = "KLACHTBOT_CONFIG"

Language = Literal["nl", "en"]


class Section(BaseModel):
    model_config = ConfigDict(extra="forbid")


class OrganisationSettings(Section):
    name: str = "Ons bedrijf"
    language: Language = "nl"
    timezone: str = "Europe/Amsterdam"
    # Said at once on an emergency, next to 112 for danger to life.
    emergency_phone: str = ""

    @field_validator("timezone")
    @classmethod
    def _known_timezone(cls, value: str) -> str:
        try:
            ZoneInfo(value)
        except (ZoneInfoNotFoundError, ValueError):
            raise ValueError(f"unknown time zone {value!r} (use e.g. 'Europe/Amsterdam')") from None
        return value

    @property
    def tz(self) -> ZoneInfo:
        return ZoneInfo(self.timezone)


class DatabaseSettings(Section):
    # May hold a password: shown masked (`masked`) and kept out of logs (`secret_values`).
    url: str = "sqlite+aiosqlite:///./var/klachtbot.db"

    @field_validator("url")
    @classmethod
    def _async_driver(cls, value: str) -> str:
        if not value.startswith(("sqlite+aiosqlite://", "postgresql+asyncpg://")):
            raise ValueError("must start with 'sqlite+aiosqlite://' or 'postgresql+asyncpg://'")
        try:
            make_url(value)
        except (ArgumentError, ValueError):  # ValueError: a port that is not a number
            raise ValueError(
                "is not a database URL (driver://user:password@host:port/name)"
            ) from None
        return value


class OutboxSettings(Section):
    # A message that cannot be sent for a passing reason (the mail server is down or says
    # "try later") is tried again until this long after its first failure; a final refusal
    # (unknown address, blocked bot) fails it at once.
    retry_hours: float = Field(default=48.0, gt=0)
    backoff_seconds: float = Field(default=30.0, gt=0)
    backoff_max_seconds: float = Field(default=1800.0, gt=0)
    lease_seconds: float = Field(default=120.0, gt=0)
    poll_seconds: float = Field(default=5.0, gt=0)
    batch_size: int = Field(default=50, ge=1, le=1000)


class DialogueSettings(Section):
    pause_seconds: float = Field(default=20.0, ge=0)
    # A customer who keeps writing on a handed-off case hears back at most this often.
    receipt_interval_hours: float = Field(default=4.0, ge=0)


# What a registration may require: fact kinds the dialogue knows, "contact" for a phone or email.
RegistrationFact = Literal[
    "name",
    "address",
    "postcode",
    "phone",
    "email",
    "contact",
    "customer_number",
]


_DEFAULT_REQUIRE: list[RegistrationFact] = ["name", "contact"]


class IntakeSettings(Section):
    # The registration the organisation requires of every complaint (asked when the story
    # and the channel do not tell it); the default is a name and a way to reach them.
    require: list[RegistrationFact] = Field(default_factory=lambda: _DEFAULT_REQUIRE.copy())


_SPAN_OF_DAY = r"^(([01]\d|2[0-3]):[0-5]\d-([01]\d|2[0-3]):[0-5]\d)?$"


class CalendarSettings(Section):
    # Per weekday "HH:MM-HH:MM", or "" for closed. The time zone is the organisation's.
    office_hours: dict[Weekday, Annotated[str, Field(pattern=_SPAN_OF_DAY)]] = Field(
        default_factory=lambda: {
            **dict.fromkeys(WEEKDAYS[:5], "09:00-17:00"),
            **dict.fromkeys(WEEKDAYS[5:], ""),
        }
    )
    holidays_country: str = "NL"
    holidays_subdivision: str = ""
    extra_closed_days: list[date] = Field(default_factory=list)
    # Non-urgent customer messages planned inside these hours wait until they end.
    quiet_hours: str = Field(default="21:00-08:00", pattern=_SPAN_OF_DAY)

    @field_validator("office_hours")
    @classmethod
    def _some_day_open(cls, value: dict[str, str]) -> dict[str, str]:
        if not any(text for text in value.values()):
            raise ValueError("at least one weekday must have office hours")
        for text in value.values():
            if text:
                Hours(*parse_clock_span(text))
        return value

    @field_validator("holidays_country")
    @classmethod
    def _known_country(cls, value: str) -> str:
        if value.upper() not in holidays.list_supported_countries():
            raise ValueError(f"no public holidays known for country {value!r} (use e.g. 'NL')")
        return value.upper()


class DeadlineRuleSettings(Section):
    first_contact: str | None = None
    resolution: str | None = None

    @field_validator("first_contact", "resolution")
    @classmethod
    def _span(cls, value: str | None) -> str | None:
        if value is not None:
            parse_span(value)
        return value


class DeadlineSettings(Section):
    # "1 business day", "4 business hours", "2 hours" (round the clock), "3 days".
    first_contact: str = "1 business day"
    resolution: str = "10 business days"
    # Per intent (emergency, dispute, …) and per category (billing, delivery, …); an
    # intent's rule wins over a category's.
    intents: dict[str, DeadlineRuleSettings] = Field(
        default_factory=lambda: {
            "emergency": DeadlineRuleSettings(first_contact="2 hours", resolution="1 business day")
        }
    )
    categories: dict[str, DeadlineRuleSettings] = Field(default_factory=dict)

    @field_validator("first_contact", "resolution")
    @classmethod
    def _span(cls, value: str) -> str:
        parse_span(value)
        return value


class FollowUpSettings(Section):
    # Days after resolution: "did everything happen as agreed?"
    execution_check_days: float = Field(default=3, ge=0)
    # Days after resolution: the satisfaction survey; one reminder after reminder_days.
    survey_days: float = Field(default=14, ge=0)
    reminder_days: float = Field(default=5, ge=0)
    # The handler hears this many hours before a promised moment that it is near.
    warning_hours: float = Field(default=4, ge=0)
    # From this hour (local time) each day, a handler gets the mail kept without a case.
    digest_hour: int = Field(default=8, ge=0, le=23)


class ReportSettings(Section):
    # The report of the previous month (quarter) is mailed as a PDF to the coordinators
    # ([[handlers]] with role "coordinator") on the first working day of a month (quarter).
    monthly: bool = True
    quarterly: bool = False


class HandlerSettings(Section):
    name: str = Field(min_length=1)
    email: str = ""
    telegram_user_id: int = 0
    role: Literal["handler", "substitute", "coordinator"] = "handler"
    # The desk's language for this handler; empty: the organisation's.
    language: Language | None = None


class PrivacySettings(Section):
    # Months after a case is closed before its personal data is anonymised; 0 keeps it.
    retention_months: int = Field(default=24, ge=0)
    # The key of the hashes that keep an erased person's mail from being imported again.
    hash_key: SecretStr = SecretStr("")

    @property
    def hash_key_bytes(self) -> bytes | None:
        key = self.hash_key.get_secret_value()
        return key.encode() if key else None


class LogSettings(Section):
    level: Literal["DEBUG", "INFO", "WARNING", "ERROR"] = "INFO"
    format: Literal["console", "json"] = "console"
    file: str = "./var/klachtbot.log"


class EmailSettings(Section):
    address: str = ""
    imap_host: str = ""
    imap_port: int = 993
    imap_security: Literal["tls", "starttls", "none"] = "tls"
    smtp_host: str = ""
    smtp_port: int = 587
    smtp_security: Literal["tls", "starttls", "none"] = "starttls"
    # Off for a local relay that accepts mail from this host without a login.
    smtp_login: bool = True
    username: str = ""
    password: SecretStr = SecretStr("")
    folder: str = "INBOX"
    processed_folder: str = ""
    # Without IDLE the mailbox is polled this often; with IDLE, IDLE is renewed this often.
    poll_seconds: float = Field(default=60.0, gt=0)
    max_message_bytes: int = Field(default=10 * 1024 * 1024, ge=1024)
    # Automatic mails to one address per hour: two bots answering each other stop here.
    max_auto_mails_per_hour: int = Field(default=10, ge=1)

    @property
    def configured(self) -> bool:
        return bool(self.address and self.imap_host and self.smtp_host)


class WorkerSettings(Section):
    # Helper processes for pure CPU work (parsing mail, reading messages) beside the event
    # loop; 0 does everything in the bot's own process.
    processes: int = Field(default=1, ge=0, le=8)


class TelegramSettings(Section):
    token: SecretStr = SecretStr("")
    mode: Literal["polling", "webhook"] = "polling"
    base_url: str = ""
    webhook_url: str = ""
    webhook_secret: SecretStr = SecretStr("")
    handler_chat_id: int = 0
    handler_user_ids: list[int] = Field(default_factory=list)

    @property
    def configured(self) -> bool:
        return bool(self.token.get_secret_value())

    @model_validator(mode="after")
    def _webhook_complete(self) -> TelegramSettings:
        if self.mode != "webhook" or not self.configured:
            return self
        if not self.webhook_url.startswith(("https://", "http://")):
            raise ValueError("webhook mode needs telegram.webhook_url (the public https URL)")
        if not re.fullmatch(r"[A-Za-z0-9_-]{1,256}", self.webhook_secret.get_secret_value()):
            raise ValueError("webhook mode needs telegram.webhook_secret: 1-256 of A-Z a-z 0-9 _ -")
        return self


class UnderstandingSettings(Section):
    # An OpenAI-compatible endpoint (e.g. a local Ollama: "http://localhost:11434/v1") asked for
    # a second opinion where the offline understanding is unsure. Empty: off, and nothing about
    # a message leaves the machine.
    llm_url: str = ""
    llm_model: str = ""
    llm_api_key: SecretStr = SecretStr("")
    llm_timeout_seconds: float = Field(default=5.0, gt=0, le=120)
    # Asked only when the offline reading's confidence is below this.
    llm_below_confidence: float = Field(default=0.6, gt=0, le=1)

    @field_validator("llm_url")
    @classmethod
    def _http(cls, value: str) -> str:
        if value and not value.startswith(("http://", "https://")):
            raise ValueError("must start with http:// or https:// (e.g. http://localhost:11434/v1)")
        return value

    @model_validator(mode="after")
    def _model_named(self) -> UnderstandingSettings:
        if self.llm_url and not self.llm_model:
            raise ValueError("llm_url is set: set llm_model too (the model the endpoint serves)")
        return self

    @property
    def llm_configured(self) -> bool:
        return bool(self.llm_url)


class WebSettings(Section):
    """The handler desk (bot/web), served by the bot's own process."""

    # Off only when set to false: the desk is where handlers work.
    enabled: bool = True
    listen: str = Field(default="127.0.0.1:8080", pattern=r"^[^\s:]*:\d{1,5}$")
    # The address handlers open, e.g. "https://klachten.example.nl"; https makes the session
    # cookie Secure. Empty: the listen address, over http.
    public_url: str = ""
    # Signs nothing a browser can forge: session ids and CSRF tokens are stored keyed by an
    # HMAC under this key, so the table alone does not let anyone in. `klachtbot init` writes
    # one; empty means a fresh one per start (everyone logs in again after a restart).
    secret_key: SecretStr = SecretStr("")

    @field_validator("public_url")
    @classmethod
    def _http_url(cls, value: str) -> str:
        if value and not value.startswith(("http://", "https://")):
            raise ValueError("must start with https:// (or http:// on a trusted network)")
        return value.rstrip("/")

    @property
    def secure_cookies(self) -> bool:
        return self.public_url.startswith("https://")


class WebFormSettings(Section):
    """The complaint form on the organisation's site (`/klacht`, `/complaint`), served by the
    desk's web server. Answers go to the customer by mail: it needs [email] set up."""

    enabled: bool = True
    # Forms accepted from one client address an hour; more is a script, not a customer.
    per_hour: int = Field(default=5, ge=1)
    # A person needs longer than this to fill in the form; a script does not.
    min_seconds: float = Field(default=3.0, ge=0)
    # An opened form can be sent for this long.
    max_hours: float = Field(default=24.0, gt=0)


class WebChatSettings(Section):
    """The chat on the organisation's site: `<script src=".../widget.js">` puts a chat
    button on a page; `/chat` is the chat itself, also as a page of its own."""

    enabled: bool = True
    # Sites whose pages may show the chat in a frame, e.g. ["https://www.example.nl"].
    # Empty: only the bot's own address.
    allowed_origins: list[str] = Field(default_factory=list)
    # The longest message a visitor can send, in characters.
    max_chars: int = Field(default=4000, ge=1)
    # The largest photo a visitor can add (JPEG, PNG or WebP), in bytes.
    max_photo_bytes: int = Field(default=5 * 1024 * 1024, ge=1024)
    # One client address: chat connections open at once, connections opened a minute, and
    # messages (and photos) a minute over all its connections. Behind a reverse proxy whose
    # X-Forwarded-For uvicorn does not trust, every visitor shares the proxy's address.
    open_per_address: int = Field(default=10, ge=1)
    opened_per_address_minute: int = Field(default=30, ge=1)
    messages_per_address_minute: int = Field(default=60, ge=1)
    # A "send me a link" mail lets the visitor carry on elsewhere for this long.
    link_valid_hours: float = Field(default=24.0, gt=0)


class Settings(BaseSettings):
    model_config = SettingsConfigDict(
        env_prefix="KLACHTBOT_",
        env_nested_delimiter="__",
        extra="forbid",
        validate_default=True,
    )

    organisation: OrganisationSettings = Field(default_factory=OrganisationSettings)
    database: DatabaseSettings = Field(default_factory=DatabaseSettings)
    outbox: OutboxSettings = Field(default_factory=OutboxSettings)
    dialogue: DialogueSettings = Field(default_factory=DialogueSettings)
    intake: IntakeSettings = Field(default_factory=IntakeSettings)
    calendar: CalendarSettings = Field(default_factory=CalendarSettings)
    deadlines: DeadlineSettings = Field(default_factory=DeadlineSettings)
    followups: FollowUpSettings = Field(default_factory=FollowUpSettings)
    reports: ReportSettings = Field(default_factory=ReportSettings)
    log: LogSettings = Field(default_factory=LogSettings)
    email: EmailSettings = Field(default_factory=EmailSettings)
    telegram: TelegramSettings = Field(default_factory=TelegramSettings)
    handlers: list[HandlerSettings] = Field(default_factory=list)
    workers: WorkerSettings = Field(default_factory=WorkerSettings)
    webform: WebFormSettings = Field(default_factory=WebFormSettings)
    webchat: WebChatSettings = Field(default_factory=WebChatSettings)
    understanding: UnderstandingSettings = Field(default_factory=UnderstandingSettings)
    web: WebSettings = Field(default_factory=WebSettings)
    privacy: PrivacySettings = Field(default_factory=PrivacySettings)

    @model_validator(mode="after")
    def _webhook_served(self) -> Settings:
        # The webhook is a route on the bot's one web server, at `[web] listen`.
        if self.telegram.configured and self.telegram.mode == "webhook" and not self.web.enabled:
            raise ValueError("telegram webhook mode is served on the web server: set web.enabled")
        return self


class SettingsError(Exception):
    """A setting is missing, malformed or contradicts another; the message names the key."""


def _settings_from(toml_file: Path | None) -> type[Settings]:
    # The file path is only known at run time, so the source order is fixed in a subclass
    # built per load: explicit arguments, then environment, then the file.
    class _FileBacked(Settings):
        @classmethod
        def settings_customise_sources(
            cls,
            settings_cls: type[BaseSettings],
            init_settings: PydanticBaseSettingsSource,
            env_settings: PydanticBaseSettingsSource,
            dotenv_settings: PydanticBaseSettingsSource,
            file_secret_settings: PydanticBaseSettingsSource,
        ) -> tuple[PydanticBaseSettingsSource, ...]:
            sources: list[PydanticBaseSettingsSource] = [init_settings, env_settings]
            if toml_file is not None:
                sources.append(TomlConfigSettingsSource(settings_cls, toml_file=toml_file))
            return tuple(sources)

    return _FileBacked


def config_path(explicit: Path | None) -> Path | None:
    """The file to read: --config, else $KLACHTBOT_CONFIG, else ./klachtbot.toml if present."""
    if explicit is not None:
        return explicit
    from_env = os.environ.get(CONFIG_ENV_VAR)
    if from_env:
        return Path(from_env)
    return DEFAULT_CONFIG_FILE if DEFAULT_CONFIG_FILE.exists() else None


def load_settings(explicit_path: Path | None = None, **overrides: Any) -> Settings:
    path = config_path(explicit_path)
    if path is not None:
        if not path.is_file():
            raise SettingsError(f"config file {path} does not exist")
        try:
            tomllib.loads(path.read_text(encoding="utf-8"))
        except tomllib.TOMLDecodeError as exc:
            raise SettingsError(f"config file {path} is not valid TOML: {exc}") from None
    try:
        return _settings_from(path)(**overrides)
    except ValidationError as exc:
        raise SettingsError(_describe(exc, path)) from None


def _describe(exc: ValidationError, path: Path | None) -> str:
    where = f" (from {path} or KLACHTBOT_* environment)" if path else ""
    lines = []
    for error in exc.errors():
        key = ".".join(str(part) for part in error["loc"])
        message = error["msg"].removeprefix("Value error, ")
        if error["type"] == "extra_forbidden":
            message = "unknown setting"
        lines.append(f"setting '{key}': {message}{where}")
    return "\n".join(lines)


SET, NOT_SET = "(set)", "(not set)"
# Query parameters of a database URL that carry a credential (asyncpg takes `password=`).
_SECRET_QUERY_KEYS = ("password", "secret", "token", "key")


def masked(settings: Settings) -> dict[str, Any]:
    """Effective settings as plain data for people to read: every credential (token,
    password, secret key) shown only as set or not set, the database URL without its
    password."""

    def walk(value: Any) -> Any:
        if isinstance(value, SecretStr):
            return SET if value.get_secret_value() else NOT_SET
        if isinstance(value, BaseModel):
            shown = {name: walk(getattr(value, name)) for name in type(value).model_fields}
            if isinstance(value, DatabaseSettings):
                shown["url"] = masked_url(value.url)
            return shown
        if isinstance(value, list):
            return [walk(item) for item in value]
        if isinstance(value, dict):
            return {key: walk(item) for key, item in value.items()}
        if isinstance(value, date):
            return value.isoformat()
        return value

    result: dict[str, Any] = walk(settings)
    return result


def masked_url(url: str) -> str:
    """A database URL with its password (and credential query parameters) as ***."""
    parsed = make_url(url)
    query = {key: "***" if _is_secret_key(key) else value for key, value in parsed.query.items()}
    return parsed.set(query=query).render_as_string(hide_password=True)


def secret_values(settings: Settings) -> list[str]:
    """Every credential's value, for the logs to blank out wherever one turns up (an error
    message quoting a URL, a library's exception that names the token)."""
    found: list[str] = []

    def walk(value: Any) -> None:
        if isinstance(value, SecretStr):
            found.append(value.get_secret_value())
        elif isinstance(value, BaseModel):
            for name in type(value).model_fields:
                walk(getattr(value, name))
        elif isinstance(value, list | tuple):
            for item in value:
                walk(item)
        elif isinstance(value, dict):
            for item in value.values():
                walk(item)

    walk(settings)
    found += _url_secrets(make_url(settings.database.url))
    return sorted({value for value in found if value})


def _url_secrets(url: URL) -> list[str]:
    values = [url.password or ""] if isinstance(url.password, str) else []
    for key, value in url.query.items():
        if _is_secret_key(key):
            values += [value] if isinstance(value, str) else list(value)
    return values


def _is_secret_key(key: str) -> bool:
    return any(word in key.lower() for word in _SECRET_QUERY_KEYS)
