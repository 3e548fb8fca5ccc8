"""Settings from one database URL and a few optional variables (ledger.md §10)."""

from __future__ import annotations

import os
import uuid
from collections.abc import Mapping
from dataclasses import dataclass, field, replace
from pathlib import Path
from urllib.parse import parse_qs, unquote, urlsplit

from ledger.errors import ConfigurationError

DEFAULT_DATABASE_URL = "sqlite:///instance/kiemdiem.db"
PATH_SETTINGS = (
    "KIEMDIEM_TRUST_ROOT",
    "KIEMDIEM_LOG_KEY_FILE",
    "KIEMDIEM_LOG_KEY_PASSPHRASE_FILE",
    "KIEMDIEM_CHECKPOINT_DIR",
)
DEFAULT_AGGREGATE_CACHE = 1000
# PostgreSQL ends a session idle inside a transaction this long (ledger and views).
IDLE_IN_TRANSACTION_SECONDS = 60
# The ledger's SQLite infrastructure factory: the library's, with a statement
# cache (a factory class is a valid PERSISTENCE_MODULE topic).
SQLITE_FACTORY_TOPIC = "ledger.sqlite_pool:LedgerSQLiteFactory"
# Library settings that would bypass signing or change the stored bytes.
FORBIDDEN_SETTINGS = (
    "MAPPER_TOPIC",
    "CIPHER_TOPIC",
    "CIPHER_KEY",
    "COMPRESSOR_TOPIC",
    "IS_SNAPSHOTTING_ENABLED",
)


@dataclass(frozen=True)
class Settings:
    """Everything the ledger, projections and services need to find their data."""

    database_url: str
    backend: str  # "sqlite" or "postgres"
    library_env: dict[str, str]
    instance_dir: Path
    sqlite_path: str | None = None  # the name sqlite3 connects to (may be a URI)
    memory: bool = False
    pg_schema: str = "public"
    pg_conninfo: dict[str, str] = field(default_factory=dict)
    checkpoint_every: int = 1000
    checkpoint_minutes: int = 60
    projections_mode: str = "inline"
    # File locations given in the environment the settings were read from
    # (KIEMDIEM_TRUST_ROOT, KIEMDIEM_LOG_KEY_FILE, …), not the process's own.
    paths: dict[str, str] = field(default_factory=dict)
    # KIEMDIEM_LOG_KEY_PASSPHRASE, when the passphrase is given in the
    # environment rather than in a secret file (services.logkey).
    log_key_passphrase: str | None = field(default=None, repr=False)

    @property
    def trust_root_path(self) -> Path:
        return Path(
            self.paths.get("KIEMDIEM_TRUST_ROOT")
            or self.instance_dir / "trust-root.json"
        )

    @property
    def log_key_file(self) -> Path:
        return Path(
            self.paths.get("KIEMDIEM_LOG_KEY_FILE") or self.instance_dir / "log.key"
        )

    @property
    def log_key_passphrase_file(self) -> Path:
        return Path(
            self.paths.get("KIEMDIEM_LOG_KEY_PASSPHRASE_FILE")
            or self.instance_dir / "log.pass"
        )

    @property
    def checkpoint_dir(self) -> Path:
        return Path(
            self.paths.get("KIEMDIEM_CHECKPOINT_DIR")
            or self.instance_dir / "checkpoints"
        )

    def view_env(self, name: str) -> dict[str, str]:
        """Library settings for one tracked consumer (a projection).

        On SQLite each consumer gets its own file, because the library's tracking
        table is keyed by the upstream application only (ledger.md §9.2).
        """
        env = dict(self.library_env)
        if self.backend == "sqlite":
            if self.sqlite_path is None:
                raise ConfigurationError("thiết lập SQLite thiếu tên cơ sở dữ liệu")
            if self.memory:
                env["SQLITE_DBNAME"] = (
                    f"file:{self.sqlite_path.split(':')[1].split('?')[0]}-{name}"
                    "?mode=memory&cache=shared"
                )
            else:
                db = Path(self.sqlite_path)
                views = db.parent / f"{db.stem}.views"
                views.mkdir(mode=0o700, parents=True, exist_ok=True)  # private
                env["SQLITE_DBNAME"] = str(views / f"{name}.sqlite")
        return env


def settings_from_environ(
    environ: Mapping[str, str] | None = None, database_url: str | None = None
) -> Settings:
    environ = os.environ if environ is None else environ
    for key in FORBIDDEN_SETTINGS:
        if key in environ:
            msg = (
                f"{key} đang được đặt trong môi trường; kiemdiem không khởi động vì "
                "thiết lập này bỏ qua việc ký sự kiện hoặc làm đổi dữ liệu đã lưu"
            )
            raise ConfigurationError(msg)
    url = database_url or environ.get("KIEMDIEM_DATABASE_URL") or DEFAULT_DATABASE_URL
    paths = {key: environ[key] for key in PATH_SETTINGS if environ.get(key)}
    every = _int_setting(environ, "KIEMDIEM_CHECKPOINT_EVERY", 1000)
    minutes = _int_setting(environ, "KIEMDIEM_CHECKPOINT_MINUTES", 60)
    cache = _aggregate_cache(environ)
    if url.startswith("sqlite:///"):
        found = _sqlite_settings(url, environ, every, minutes)
    elif url.startswith(("postgresql://", "postgres://")):
        found = _postgres_settings(url, environ, every, minutes)
    else:
        found = None
    if found is not None:
        return replace(
            found,
            paths=paths,
            library_env={**found.library_env, **cache},
            log_key_passphrase=environ.get("KIEMDIEM_LOG_KEY_PASSPHRASE") or None,
        )
    # A URL given on the command line is named as such, not as the variable.
    source = "Địa chỉ kho" if database_url else "KIEMDIEM_DATABASE_URL"
    msg = f"{source} phải bắt đầu bằng sqlite:/// hoặc postgresql:// ({url!r})"
    raise ConfigurationError(msg)


def _aggregate_cache(environ: Mapping[str, str]) -> dict[str, str]:
    """The library's aggregate cache (KIEMDIEM_AGGREGATE_CACHE aggregates, default
    1000; 0 turns it off). A cached aggregate is fast-forwarded from the store on
    every load (only its newer events are read, decoded and checked), so writes by
    other processes are seen; each command gets a deep copy. Unlike snapshots
    (§3.5) nothing is stored: the log and ``verify`` are untouched."""
    raw = environ.get("KIEMDIEM_AGGREGATE_CACHE")
    size = DEFAULT_AGGREGATE_CACHE
    if raw:
        try:
            size = int(raw)
        except ValueError:
            size = -1
        if size < 0:
            msg = (
                f"KIEMDIEM_AGGREGATE_CACHE phải là 0 hoặc số nguyên, không phải {raw!r}"
            )
            raise ConfigurationError(msg)
    if size == 0:
        return {}
    return {
        "AGGREGATE_CACHE_MAXSIZE": str(size),
        "AGGREGATE_CACHE_FASTFORWARD": "y",
        "DEEPCOPY_FROM_AGGREGATE_CACHE": "y",
    }


def _int_setting(environ: Mapping[str, str], key: str, default: int) -> int:
    raw = environ.get(key)
    if not raw:
        return default
    try:
        value = int(raw)
    except ValueError:
        value = 0
    if value <= 0:
        msg = f"{key} phải là số nguyên dương, không phải {raw!r}"
        raise ConfigurationError(msg)
    return value


def _sqlite_settings(
    url: str, environ: Mapping[str, str], every: int, minutes: int
) -> Settings:
    path = url[len("sqlite:///") :]
    if not path:
        raise ConfigurationError("địa chỉ SQLite không chỉ ra tệp nào")
    memory = path == ":memory:"
    if memory:
        name = f"file:kiemdiem-{uuid.uuid4().hex}?mode=memory&cache=shared"
        instance = Path(environ.get("KIEMDIEM_INSTANCE_DIR") or "instance")
    else:
        name = path
        instance = Path(environ.get("KIEMDIEM_INSTANCE_DIR") or Path(path).parent)
    env = {
        "PERSISTENCE_MODULE": SQLITE_FACTORY_TOPIC,
        "SQLITE_DBNAME": name,
        "SQLITE_LOCK_TIMEOUT": "10",
        "APPLICATION_RECORDER_TOPIC": "ledger.recorders:LedgerSQLiteRecorder",
        "ORIGINATOR_ID_TYPE": "uuid",
        "CREATE_TABLE": "true",
    }
    return Settings(
        database_url=url,
        backend="sqlite",
        library_env=env,
        instance_dir=instance,
        sqlite_path=name,
        memory=memory,
        checkpoint_every=every,
        checkpoint_minutes=minutes,
        projections_mode=environ.get("KIEMDIEM_PROJECTIONS") or "inline",
    )


def _password_from_file(environ: Mapping[str, str]) -> str:
    """KIEMDIEM_DATABASE_PASSWORD_FILE (a Docker secret): the password of a URL
    that carries none, so it never sits in the environment or a process listing."""
    path = environ.get("KIEMDIEM_DATABASE_PASSWORD_FILE")
    if not path:
        return ""
    try:
        return Path(path).read_text(encoding="utf-8").rstrip("\r\n")
    except OSError as exc:
        msg = f"không đọc được mật khẩu cơ sở dữ liệu từ {path}: {exc.strerror}"
        raise ConfigurationError(msg) from None


def _postgres_settings(
    url: str, environ: Mapping[str, str], every: int, minutes: int
) -> Settings:
    parts = urlsplit(url)
    dbname = unquote(parts.path.lstrip("/"))
    if not dbname or not parts.hostname:
        raise ConfigurationError("địa chỉ PostgreSQL cần máy chủ và tên cơ sở dữ liệu")
    query = parse_qs(parts.query)
    schema = query.get("schema", ["public"])[0]
    if not schema.replace("_", "").isalnum():
        raise ConfigurationError(
            f"tên schema {schema!r} không phải là định danh đơn giản"
        )
    conninfo = {
        "dbname": dbname,
        "host": parts.hostname,
        "port": str(parts.port or 5432),
        "user": unquote(parts.username or "postgres"),
        "password": unquote(parts.password or "") or _password_from_file(environ),
    }
    env = {
        "PERSISTENCE_MODULE": "eventsourcing.postgres",
        "POSTGRES_DBNAME": conninfo["dbname"],
        "POSTGRES_HOST": conninfo["host"],
        "POSTGRES_PORT": conninfo["port"],
        "POSTGRES_USER": conninfo["user"],
        "POSTGRES_PASSWORD": conninfo["password"],
        "POSTGRES_SCHEMA": schema,
        "POSTGRES_LOCK_TIMEOUT": "5",
        # The library ends a transaction left idle for 5 s. A view's page at
        # province scale has seconds of Python between statements on a loaded
        # host (the 100,000-member build lost connections there, every page then
        # replayed event by event); a minute still frees a lock a hung client holds.
        "POSTGRES_IDLE_IN_TRANSACTION_SESSION_TIMEOUT": str(
            IDLE_IN_TRANSACTION_SECONDS
        ),
        # The ledger's pool: two connections kept, up to 12 while a gunicorn
        # worker's threads write at once (the views have a pool of their own).
        "POSTGRES_POOL_SIZE": "2",
        "POSTGRES_MAX_OVERFLOW": "10",
        "APPLICATION_RECORDER_TOPIC": "ledger.recorders:LedgerPostgresRecorder",
        "ORIGINATOR_ID_TYPE": "uuid",
        # Tables are created by `kiemdiem init` (ledger.schema), not by each process.
        "CREATE_TABLE": "false",
    }
    return Settings(
        database_url=url,
        backend="postgres",
        library_env=env,
        instance_dir=Path(environ.get("KIEMDIEM_INSTANCE_DIR") or "instance"),
        pg_schema=schema,
        pg_conninfo=conninfo,
        checkpoint_every=every,
        checkpoint_minutes=minutes,
        projections_mode=environ.get("KIEMDIEM_PROJECTIONS") or "worker",
    )
