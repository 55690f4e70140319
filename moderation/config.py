"""Configuration classes, read from the environment with safe defaults for a laptop."""

import os
import secrets
import tempfile
from datetime import timedelta
from pathlib import Path

PROJECT_ROOT = Path(__file__).resolve().parent.parent
INSTANCE_DIR = PROJECT_ROOT / "instance"


class ConfigurationError(RuntimeError):
    """Raised when the application is started without settings it cannot run without."""


# A session-signing key shorter than this can be guessed offline from one signed cookie.
MINIMUM_SECRET_KEY_BYTES = 32
KEY_FILE_NAME = "secret_key"


def _minutes(name, default):
    return timedelta(minutes=int(os.environ.get(name, default)))


def check_secret_key(key):
    size = len(key.encode())
    if size < MINIMUM_SECRET_KEY_BYTES:
        raise ConfigurationError(
            f"SECRET_KEY must be at least {MINIMUM_SECRET_KEY_BYTES} bytes long; this one is "
            f"{size}. Generate one with: "
            "python3 -c 'import secrets; print(secrets.token_urlsafe(48))'"
        )
    return key


def instance_secret_key(directory):
    """This machine's own development key: made at random on first run, then reused."""
    path = os.path.join(directory, KEY_FILE_NAME)
    if not os.path.exists(path):
        _create_secret_key_file(directory, path)
    with open(path, encoding="utf-8") as key_file:
        key = key_file.read().strip()
    if len(key.encode()) < MINIMUM_SECRET_KEY_BYTES:
        raise ConfigurationError(
            f"{path} holds a key shorter than {MINIMUM_SECRET_KEY_BYTES} bytes. "
            "Delete the file and a new key will be made."
        )
    return key


def _create_secret_key_file(directory, path):
    # The web app and the scheduler start together: the key is written to a private (0600)
    # temporary file, then linked into place, which fails rather than replace a key another
    # process linked first. No process ever reads a half-written key.
    os.makedirs(directory, exist_ok=True)
    descriptor, temporary = tempfile.mkstemp(dir=directory, prefix=".secret_key.")
    try:
        with os.fdopen(descriptor, "w", encoding="ascii") as key_file:
            key_file.write(secrets.token_urlsafe(48) + "\n")
            key_file.flush()
            os.fsync(key_file.fileno())
        os.link(temporary, path)
    except FileExistsError:
        pass  # another process made it first: use theirs
    finally:
        os.unlink(temporary)


class Config:
    ENV_NAME = "base"
    SECRET_KEY = os.environ.get("SECRET_KEY")
    SQLALCHEMY_DATABASE_URI = os.environ.get(
        "DATABASE_URL", f"sqlite:///{INSTANCE_DIR / 'moderation.sqlite3'}"
    )
    SQLALCHEMY_ENGINE_OPTIONS = {"pool_pre_ping": True}
    PARTNERSHIP_NAME = os.environ.get(
        "PARTNERSHIP_NAME", "Northshire Safeguarding Children Partnership"
    )
    SERVICE_NAME = "Threshold moderation"
    # Idle timeout: a signed-in session ends after this long without a request.
    IDLE_TIMEOUT = _minutes("IDLE_TIMEOUT_MINUTES", 30)
    # The signed cookie's own limit is only a backstop: the idle check in web/session_hooks.py signs
    # people out first, and tells them why.
    PERMANENT_SESSION_LIFETIME = timedelta(hours=12)
    SESSION_REFRESH_EACH_REQUEST = True
    SESSION_COOKIE_HTTPONLY = True
    SESSION_COOKIE_SAMESITE = "Lax"
    SESSION_COOKIE_NAME = "moderation_session"
    WTF_CSRF_TIME_LIMIT = None  # tied to the session instead, which already times out
    RATELIMIT_STORAGE_URI = os.environ.get("REDIS_URL") or "memory://"
    # Redis down must not stop everyone signing in: limits are then kept in each worker's
    # memory (Flask-Limiter logs the switch, and tries Redis again now and then), and any
    # other failure of the limiter is logged rather than turned into an error page.
    RATELIMIT_IN_MEMORY_FALLBACK_ENABLED = True
    RATELIMIT_SWALLOW_ERRORS = True
    # A Redis host that stops answering must cost a sign-in seconds, not minutes (the memory
    # storage ignores these).
    RATELIMIT_STORAGE_OPTIONS = {"socket_connect_timeout": 2, "socket_timeout": 2}
    RATELIMIT_STRATEGY = "moving-window"
    RATELIMIT_HEADERS_ENABLED = False
    SIGN_IN_LIMIT_PER_ACCOUNT = os.environ.get("SIGN_IN_LIMIT_PER_ACCOUNT", "5 per 15 minutes")
    SIGN_IN_LIMIT_PER_ADDRESS = os.environ.get("SIGN_IN_LIMIT_PER_ADDRESS", "30 per 15 minutes")
    # Bank holidays for working-day clocks: england-and-wales, scotland or northern-ireland.
    BANK_HOLIDAY_REGION = os.environ.get("BANK_HOLIDAY_REGION", "england-and-wales")
    MAINTENANCE_MODE = os.environ.get("MAINTENANCE_MODE", "") == "1"
    PROXY_FIX_X_FOR = int(os.environ.get("PROXY_FIX_X_FOR", "0"))
    # Links in emails and calendar invitations point here (emails carry a link, never case
    # details: rule 11). `make run` sets it from its HOST and PORT; production must set it.
    BASE_URL = os.environ.get("BASE_URL", "http://127.0.0.1:5000")
    # "smtp" sends the outbox; "outbox" keeps emails for an administrator to read (development).
    MAIL_DELIVERY = os.environ.get("MAIL_DELIVERY", "smtp")
    MAIL_HOST = os.environ.get("MAIL_HOST", "localhost")
    MAIL_PORT = int(os.environ.get("MAIL_PORT", "25"))
    MAIL_USE_TLS = os.environ.get("MAIL_USE_TLS", "") == "1"  # STARTTLS
    MAIL_USE_SSL = os.environ.get("MAIL_USE_SSL", "") == "1"  # TLS from the start (port 465)
    MAIL_USERNAME = os.environ.get("MAIL_USERNAME")
    MAIL_PASSWORD = os.environ.get("MAIL_PASSWORD")
    MAIL_FROM = os.environ.get("MAIL_FROM", "threshold-moderation@localhost")
    MAIL_TIMEOUT = int(os.environ.get("MAIL_TIMEOUT", "10"))
    # A delivery run's time budget: what it has not tried by then waits for the next run.
    MAIL_RUN_SECONDS = int(os.environ.get("MAIL_RUN_SECONDS", "45"))
    MAIL_MAX_ATTEMPTS = int(os.environ.get("MAIL_MAX_ATTEMPTS", "6"))
    # The dashboard's figures are counted again once this many seconds old, or as soon as the
    # panel records a decision (outcomes/figures.py).
    FIGURES_MAX_AGE = int(os.environ.get("FIGURES_MAX_AGE_SECONDS", "300"))
    # The cache every web worker shares (web/cache.py): Redis when REDIS_URL is set, else the
    # database. The prefix keeps two deployments sharing one Redis apart.
    CACHE_REDIS_URL = os.environ.get("REDIS_URL") or None
    CACHE_KEY_PREFIX = os.environ.get("CACHE_KEY_PREFIX", "moderation:")
    # Documents are up to 20 MB each (disputes/documents/): a request a little bigger still
    # reaches the form, which says so; beyond this the 413 page does (web/errors.py).
    MAX_CONTENT_LENGTH = 25 * 1024 * 1024
    AUDIT_PAGE_SIZE = 50
    LIST_PAGE_SIZE = 25

    @classmethod
    def check(cls):
        """Refuse to start with a configuration that cannot be safe."""


class DevelopmentConfig(Config):
    ENV_NAME = "development"
    MAIL_DELIVERY = os.environ.get("MAIL_DELIVERY", "outbox")

    @classmethod
    def check(cls):
        # Never a key shipped in the source (anyone could forge sessions with it): SECRET_KEY
        # from the environment, or one made for this machine. Set here rather than at import,
        # so importing the config writes no file.
        cls.SECRET_KEY = os.environ.get("SECRET_KEY") or instance_secret_key(INSTANCE_DIR)


class TestConfig(Config):
    ENV_NAME = "test"
    TESTING = True
    SECRET_KEY = "test-only-not-secret"  # noqa: S105 - tests only
    FIGURES_MAX_AGE = 0  # every test sees the figures as they are
    CACHE_REDIS_URL = None  # the database's cache, unless a test asks for Redis
    SQLALCHEMY_DATABASE_URI = "sqlite://"
    RATELIMIT_STORAGE_URI = "memory://"
    SQLALCHEMY_ENGINE_OPTIONS = {}
    # Password hashing at production cost makes a test suite crawl; the algorithm is the same.
    ARGON2_TIME_COST = 1
    ARGON2_MEMORY_COST = 1024


class ProductionConfig(Config):
    ENV_NAME = "production"
    SESSION_COOKIE_SECURE = True
    PREFERRED_URL_SCHEME = "https"

    @classmethod
    def check(cls):
        # Without BASE_URL every email would link to the development address.
        missing = [name for name in ("SECRET_KEY", "DATABASE_URL", "BASE_URL")
                   if not os.environ.get(name)]
        if missing:
            raise ConfigurationError(
                "Threshold moderation will not start in production without "
                + ", ".join(missing)
                + ". Set them in the environment (see README, 'Configuration')."
            )
        check_secret_key(os.environ["SECRET_KEY"])


CONFIGS = {
    "development": DevelopmentConfig,
    "test": TestConfig,
    "production": ProductionConfig,
}


def config_from_environment():
    """The config class named by MODERATION_CONFIG (development by default)."""
    name = os.environ.get("MODERATION_CONFIG", "development")
    if name not in CONFIGS:
        raise ConfigurationError(
            f"MODERATION_CONFIG must be one of {', '.join(CONFIGS)}, not {name!r}."
        )
    config = CONFIGS[name]
    config.check()  # create_app({...}) uses this class without checking it itself
    return config
