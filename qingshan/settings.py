"""Django settings for Qingshan, driven by environment variables (12-factor).

| variable | meaning | default |
|---|---|---|
| ``QINGSHAN_DATA_DIR`` | where the SQLite file, uploads and archived reports live | ``./var`` |
| ``DATABASE_URL`` | database, e.g. ``postgres://user:pw@127.0.0.1/qingshan`` | SQLite file in the data dir |
| ``SECRET_KEY`` | Django secret key | a key generated once and kept in the data dir |
| ``DEBUG`` | ``1`` for debug pages | ``0`` |
| ``ALLOWED_HOSTS`` | comma separated | ``127.0.0.1,localhost`` |
| ``TIME_ZONE`` | | ``Asia/Shanghai`` |
| ``LANGUAGE_CODE`` | UI default language (``zh-hans`` or ``en``) | ``zh-hans`` |
| ``QINGSHAN_HJ212_ADDR`` | listen address of the HJ 212 server | ``0.0.0.0:9212`` |
| ``QINGSHAN_ENVTAX_PROVINCE`` | province of the environmental protection tax rates | ``山东`` |
| ``QINGSHAN_CREDIT_RULESET`` | enterprise credit rating rule set | ``national_2013`` |
| ``QINGSHAN_REDUCTION_POLLUTANTS`` | pollutants with reduction targets, comma separated | ``COD,NH3-N,SO2,NOx,VOCs`` |
| ``QINGSHAN_API_RATE``, ``QINGSHAN_FORM_RATE`` | public API / public form limits per address, ``requests/seconds`` | ``120/60``, ``10/600`` |
| ``QINGSHAN_REPORTS_SYNC`` | ``1``: generate reports in the request, not in a thread | ``0`` |
| ``EMAIL_HOST`` (+ ``EMAIL_PORT``, ``EMAIL_HOST_USER``, ``EMAIL_HOST_PASSWORD``, ``EMAIL_USE_TLS``, ``EMAIL_USE_SSL``, ``DEFAULT_FROM_EMAIL``) | mail server of the subscribers' notifications | none: mail written to ``$QINGSHAN_DATA_DIR/mail`` |
| ``QINGSHAN_SMS_BACKEND`` | dotted path of ``send(phone, text)``, the SMS gateway | none: SMS stay in the outbox |
| ``QINGSHAN_PUBLIC_URL`` | public address of the portal, for links in messages | empty (relative links) |
| ``QINGSHAN_REPORTS_USER`` | account whose scope the scheduled reports use (``qingshan jobs``) | ``admin`` |
| ``QINGSHAN_HTTPS`` | ``1`` behind a TLS proxy setting ``X-Forwarded-Proto``: secure cookies, HSTS (``QINGSHAN_HSTS_SECONDS``) | ``0`` |
| ``QINGSHAN_HJ212_SERVER`` | JSON object of HJ 212 server settings (fields of ``monitoring.server.config.ServerConfig``, e.g. ``{"workers": 4, "idle_timeout": 600}``) | built-in defaults |
| ``QINGSHAN_MEASUREMENT_STORE`` | dotted path of the measurement store class (e.g. a ClickHouse backend) | by database vendor |
| ``QINGSHAN_VALID_FLAGS`` | HJ 212 data flags that count as valid, comma separated | ``N,T`` (the codec's table) |
| ``QINGSHAN_ROLLUP_RULES`` | JSON overrides of the hourly/daily rollup validity rules (``monitoring.rollups.ROLLUP_RULES``) | HJ 212-2017 App. D |
| ``QINGSHAN_TRANSMISSION_RATE`` | JSON overrides of the transmission-rate settings (``monitoring.rates.DEFAULTS``, e.g. ``{"target": 0.75}``) | target 75 % |
"""

from __future__ import annotations

import os
import secrets
from pathlib import Path

import dj_database_url

BASE_DIR = Path(__file__).resolve().parent


def env_bool(name: str, default: bool = False) -> bool:
    value = os.environ.get(name)
    if value is None:
        return default
    return value.strip().lower() in {"1", "true", "yes", "on"}


def env_list(name: str, default: str) -> list[str]:
    return [item.strip() for item in os.environ.get(name, default).split(",") if item.strip()]


DATA_DIR = Path(os.environ.get("QINGSHAN_DATA_DIR", Path.cwd() / "var")).resolve()
DATA_DIR.mkdir(parents=True, exist_ok=True)
(DATA_DIR / "static").mkdir(exist_ok=True)


def _secret_key() -> str:
    if os.environ.get("SECRET_KEY"):
        return os.environ["SECRET_KEY"]
    key_file = DATA_DIR / "secret_key"
    if not key_file.exists():
        key_file.write_text(secrets.token_urlsafe(50))
        key_file.chmod(0o600)
    return key_file.read_text().strip()


SECRET_KEY = _secret_key()
DEBUG = env_bool("DEBUG")
ALLOWED_HOSTS = env_list("ALLOWED_HOSTS", "127.0.0.1,localhost,testserver")
CSRF_TRUSTED_ORIGINS = env_list("CSRF_TRUSTED_ORIGINS", "http://127.0.0.1:8000,http://localhost:8000")
#: Behind a TLS-terminating reverse proxy (nginx) that sets X-Forwarded-Proto: secure cookies, HSTS.
if env_bool("QINGSHAN_HTTPS"):
    SECURE_PROXY_SSL_HEADER = ("HTTP_X_FORWARDED_PROTO", "https")
    SESSION_COOKIE_SECURE = CSRF_COOKIE_SECURE = True
    SECURE_HSTS_SECONDS = int(os.environ.get("QINGSHAN_HSTS_SECONDS", "31536000"))

#: Domain apps in dependency order. Each may provide the optional modules
#: ``urls`` (mounted at /<label>/), ``navigation`` (menu), ``api`` (router),
#: ``demo`` (demo-city seeding hook) and ``dashboard`` (widgets).
QINGSHAN_APPS = [
    "qingshan.core",
    "qingshan.registry",
    "qingshan.monitoring",
    "qingshan.air",
    "qingshan.water",
    "qingshan.enforcement",
    "qingshan.complaints",
    "qingshan.targets",
    "qingshan.credit",
    "qingshan.reports",
    "qingshan.portal",
    "qingshan.api",
]

INSTALLED_APPS = [
    "django.contrib.admin",
    "django.contrib.auth",
    "django.contrib.contenttypes",
    "django.contrib.sessions",
    "django.contrib.messages",
    "django.contrib.staticfiles",
    "django.contrib.humanize",
    *QINGSHAN_APPS,
]

MIDDLEWARE = [
    "django.middleware.security.SecurityMiddleware",
    "whitenoise.middleware.WhiteNoiseMiddleware",
    "django.contrib.sessions.middleware.SessionMiddleware",
    "qingshan.core.middleware.LanguageMiddleware",
    "django.middleware.common.CommonMiddleware",
    "django.middleware.csrf.CsrfViewMiddleware",
    "django.contrib.auth.middleware.AuthenticationMiddleware",
    "django.contrib.messages.middleware.MessageMiddleware",
    "django.middleware.clickjacking.XFrameOptionsMiddleware",
    "qingshan.core.middleware.ActorMiddleware",
]

ROOT_URLCONF = "qingshan.urls"

TEMPLATES = [
    {
        "BACKEND": "django.template.backends.django.DjangoTemplates",
        "DIRS": [],
        "APP_DIRS": True,
        "OPTIONS": {
            "context_processors": [
                "django.template.context_processors.request",
                "django.template.context_processors.i18n",
                "django.contrib.auth.context_processors.auth",
                "django.contrib.messages.context_processors.messages",
                "qingshan.core.context_processors.qingshan",
            ],
        },
    },
]

WSGI_APPLICATION = "qingshan.wsgi.application"
ASGI_APPLICATION = "qingshan.asgi.application"

DATABASES = {
    "default": dj_database_url.parse(
        os.environ.get("DATABASE_URL", f"sqlite:///{DATA_DIR / 'qingshan.sqlite3'}"),
        conn_max_age=int(os.environ.get("CONN_MAX_AGE", "60")),
    )
}
if DATABASES["default"]["ENGINE"] == "django.db.backends.sqlite3":
    DATABASES["default"].setdefault("OPTIONS", {}).update(
        {
            # WAL + a busy timeout let the HJ 212 server and the web server share the file.
            "init_command": "PRAGMA journal_mode=WAL; PRAGMA synchronous=NORMAL;",
            "timeout": 30,
            "transaction_mode": "IMMEDIATE",
        }
    )
    DATABASES["default"]["CONN_MAX_AGE"] = 0

DEFAULT_AUTO_FIELD = "django.db.models.BigAutoField"

AUTH_PASSWORD_VALIDATORS = [
    {"NAME": "django.contrib.auth.password_validation.MinimumLengthValidator", "OPTIONS": {"min_length": 8}},
    {"NAME": "django.contrib.auth.password_validation.CommonPasswordValidator"},
]

LANGUAGE_CODE = os.environ.get("LANGUAGE_CODE", "zh-hans")
LANGUAGES = [("zh-hans", "简体中文"), ("en", "English")]
LOCALE_PATHS = [BASE_DIR / "locale"]
TIME_ZONE = os.environ.get("TIME_ZONE", "Asia/Shanghai")
USE_I18N = True
USE_TZ = True

STATIC_URL = "/static/"
STATIC_ROOT = DATA_DIR / "static"
MEDIA_URL = "/media/"
MEDIA_ROOT = DATA_DIR / "media"
FILE_UPLOAD_MAX_MEMORY_SIZE = 5 * 1024 * 1024
DATA_UPLOAD_MAX_MEMORY_SIZE = 20 * 1024 * 1024
WHITENOISE_USE_FINDERS = True
WHITENOISE_AUTOREFRESH = DEBUG

LOGIN_URL = "login"
LOGIN_REDIRECT_URL = "core:home"
LOGOUT_REDIRECT_URL = "login"

LOGGING = {
    "version": 1,
    "disable_existing_loggers": False,
    "formatters": {"plain": {"format": "%(asctime)s %(levelname)s %(name)s: %(message)s"}},
    "handlers": {"console": {"class": "logging.StreamHandler", "formatter": "plain"}},
    "root": {"handlers": ["console"], "level": os.environ.get("LOG_LEVEL", "INFO")},
    "loggers": {"django.db.backends": {"level": "WARNING"},
                # WeasyPrint logs every rendering step at INFO; fontTools its font subsetting
                "weasyprint": {"level": "WARNING"}, "fontTools": {"level": "WARNING"}},
}

#: Address of the HJ 212 ingest server (``qingshan hj212-server``).
QINGSHAN_HJ212_ADDR = os.environ.get("QINGSHAN_HJ212_ADDR", "0.0.0.0:9212")
#: Name of the deployment shown in the UI.
QINGSHAN_BUREAU_NAME = os.environ.get("QINGSHAN_BUREAU_NAME", "")


def _env_list(name: str) -> list[str] | None:
    value = os.environ.get(name)
    return [v.strip() for v in value.split(",") if v.strip()] if value else None


def _env_rate(name: str, default: tuple[int, int]) -> tuple[int, int]:
    """``"120/60"`` = 120 requests per 60 seconds."""
    value = os.environ.get(name)
    if not value:
        return default
    count, _sep, seconds = value.partition("/")
    return int(count), int(seconds or 60)


#: Province whose environmental protection tax rates apply (standards/envtax data).
QINGSHAN_ENVTAX_PROVINCE = os.environ.get("QINGSHAN_ENVTAX_PROVINCE", "山东")
#: Enterprise credit rating rule set (standards/credit_rating): national_2013 or a provincial model.
QINGSHAN_CREDIT_RULESET = os.environ.get("QINGSHAN_CREDIT_RULESET", "national_2013")
#: Pollutants with emission-reduction targets (comma separated; e.g. add VOCs).
_reduction = _env_list("QINGSHAN_REDUCTION_POLLUTANTS")
if _reduction:
    QINGSHAN_REDUCTION_POLLUTANTS = _reduction
#: Public API and public form rate limits per client address: "requests/seconds".
QINGSHAN_API_RATE = _env_rate("QINGSHAN_API_RATE", (120, 60))
QINGSHAN_FORM_RATE = _env_rate("QINGSHAN_FORM_RATE", (10, 600))
#: Generate reports in the request instead of a background thread (tests, tiny deployments).
QINGSHAN_REPORTS_SYNC = env_bool("QINGSHAN_REPORTS_SYNC", False)
#: Mail server of the subscribers' notifications (portal); without EMAIL_HOST mail is written to files.
if os.environ.get("EMAIL_HOST"):
    EMAIL_HOST = os.environ["EMAIL_HOST"]
    EMAIL_PORT = int(os.environ.get("EMAIL_PORT", "25"))
    EMAIL_HOST_USER = os.environ.get("EMAIL_HOST_USER", "")
    EMAIL_HOST_PASSWORD = os.environ.get("EMAIL_HOST_PASSWORD", "")
    EMAIL_USE_TLS = env_bool("EMAIL_USE_TLS")
    EMAIL_USE_SSL = env_bool("EMAIL_USE_SSL")
else:
    EMAIL_BACKEND = "django.core.mail.backends.filebased.EmailBackend"
    EMAIL_FILE_PATH = DATA_DIR / "mail"
DEFAULT_FROM_EMAIL = os.environ.get("DEFAULT_FROM_EMAIL", "qingshan@localhost")
#: Dotted path of a callable send(phone, text) for SMS notifications (the bureau's gateway); empty: none.
QINGSHAN_SMS_BACKEND = os.environ.get("QINGSHAN_SMS_BACKEND", "")
#: Public address of the portal, for links in messages (e.g. https://hb.example.gov.cn).
QINGSHAN_PUBLIC_URL = os.environ.get("QINGSHAN_PUBLIC_URL", "")
#: Account whose region scope the scheduled reports (``qingshan jobs``) are generated with.
QINGSHAN_REPORTS_USER = os.environ.get("QINGSHAN_REPORTS_USER", "admin")


def _env_json(name: str):
    value = os.environ.get(name)
    if not value:
        return None
    import json

    try:
        return json.loads(value)
    except ValueError as exc:
        raise ValueError(f"{name} must be JSON: {exc}") from None


#: Online monitoring (see docs/monitoring.md and docs/monitoring-server.md).
QINGSHAN_HJ212_SERVER = _env_json("QINGSHAN_HJ212_SERVER") or {}
QINGSHAN_MEASUREMENT_STORE = os.environ.get("QINGSHAN_MEASUREMENT_STORE") or None
QINGSHAN_VALID_FLAGS = _env_list("QINGSHAN_VALID_FLAGS")
QINGSHAN_ROLLUP_RULES = _env_json("QINGSHAN_ROLLUP_RULES") or {}
QINGSHAN_TRANSMISSION_RATE = _env_json("QINGSHAN_TRANSMISSION_RATE") or {}
