"""Settings, read from the environment in this one place.

Every knob is an environment variable; the defaults give the embedded setup (SQLite under ``var/``, no servers).
"""

from __future__ import annotations

import os
from collections.abc import Callable
from datetime import time, timedelta
from decimal import Decimal
from pathlib import Path
from typing import TypeVar
from zoneinfo import ZoneInfo, ZoneInfoNotFoundError

import dj_database_url
from celery.schedules import crontab
from django.core.exceptions import ImproperlyConfigured
from environs import Env, EnvValidationError

# environs reads and parses every variable below; a bad value stops start-up with one line naming the variable and
# the value ("OMS_SHIPPING_FEE: not a decimal: 'abc'"), which ``oms`` prints without a traceback (oms.cli).
# An empty variable counts as unset, except where a comment says what empty means.
env = Env(expand_vars=False)
_T = TypeVar("_T")
_D = TypeVar("_D")


def _typed(read: Callable[..., _T], name: str, default: _D, what: str) -> _T | _D:
    raw = env.str(name, "")
    if raw.strip() == "":
        return default
    try:
        return read(name)
    except EnvValidationError:
        raise ImproperlyConfigured(f"{name}: not {what}: {raw!r}") from None


def env_bool(name: str, default: bool) -> bool:
    return _typed(env.bool, name, default, "true or false")


def env_int(name: str, default: int) -> int:
    return _typed(env.int, name, default, "an integer")


def env_float(name: str, default: float) -> float:
    return _typed(env.float, name, default, "a number")


def env_decimal(name: str, default: str) -> Decimal:
    return _typed(env.decimal, name, Decimal(default), "a decimal")


def env_str(name: str, default: str) -> str:
    return env.str(name, default)


def env_list(name: str, default: str) -> list[str]:
    return [part.strip() for part in env.str(name, default).split(",") if part.strip()]


def env_time_of_day(name: str, default: str) -> time:
    value = _typed(env.time, name, time.fromisoformat(default), "a time of day HH:MM")
    if value.second or value.microsecond or value.tzinfo:
        raise ImproperlyConfigured(f"{name}: not a time of day HH:MM: {env.str(name)!r}")
    return value


def env_time_zone(name: str, default: str) -> str:
    value = env.str(name, "") or default
    try:
        ZoneInfo(value)
    except (ZoneInfoNotFoundError, ValueError):
        raise ImproperlyConfigured(f"{name}: not a time zone: {value!r}") from None
    return value


def env_choice(name: str, default: str, choices: list[str]) -> str:
    value = (env.str(name, "") or default).strip().lower()
    if value not in choices:
        raise ImproperlyConfigured(f"{name}: not one of {', '.join(choices)}: {value!r}")
    return value


BASE_DIR = Path(__file__).resolve().parent
# Nothing is created here: the folders under it are made by what uses them (oms.common.folders.ensure_var_dirs).
VAR_DIR = env.path("OMS_VAR_DIR", Path.cwd() / "var").resolve()

DEBUG = env_bool("DEBUG", False)
# The development default is refused in production by a system check (oms.common.checks).
INSECURE_DEFAULT_SECRET_KEY = "oms-insecure-development-key-change-me"
SECRET_KEY = env_str("SECRET_KEY", INSECURE_DEFAULT_SECRET_KEY)
ALLOWED_HOSTS = env_list("ALLOWED_HOSTS", "localhost,127.0.0.1,[::1],testserver")
CSRF_TRUSTED_ORIGINS = env_list("CSRF_TRUSTED_ORIGINS", "")

INSTALLED_APPS = [
    "django.contrib.admin",
    "django.contrib.auth",
    "django.contrib.contenttypes",
    "django.contrib.sessions",
    "django.contrib.messages",
    "django.contrib.staticfiles",
    "django.contrib.humanize",
    "rest_framework",
    "rest_framework.authtoken",
    "drf_spectacular",
    "oms.common",
    "oms.regions",
    "oms.accounts",
    "oms.catalog",
    "oms.inventory",
    "oms.reporting",
    "oms.orders",
    "oms.payments",
    "oms.shipping",
    "oms.aftersales",
    "oms.purchasing",
    "oms.reports",
    "oms.planning",
    "oms.web_vendor",
    "oms.console",
    "oms.storefront",
    "oms.runtime",
]

MIDDLEWARE = [
    "django.middleware.security.SecurityMiddleware",
    "whitenoise.middleware.WhiteNoiseMiddleware",
    "oms.common.middleware.RejectNulBytesMiddleware",
    "oms.common.middleware.DatabaseUnavailableMiddleware",
    "django.contrib.sessions.middleware.SessionMiddleware",
    "django.middleware.locale.LocaleMiddleware",
    "django.middleware.common.CommonMiddleware",
    "django.middleware.csrf.CsrfViewMiddleware",
    "django.contrib.auth.middleware.AuthenticationMiddleware",
    "oms.accounts.language.SavedLanguageMiddleware",
    "django.contrib.messages.middleware.MessageMiddleware",
    "django.middleware.clickjacking.XFrameOptionsMiddleware",
]

ROOT_URLCONF = "oms.urls"
WSGI_APPLICATION = "oms.wsgi.application"

TEMPLATES = [
    {
        "BACKEND": "django.template.backends.django.DjangoTemplates",
        "DIRS": [BASE_DIR / "templates"],
        "APP_DIRS": True,
        "OPTIONS": {
            "context_processors": [
                "django.template.context_processors.request",
                "django.contrib.auth.context_processors.auth",
                "django.contrib.messages.context_processors.messages",
                "django.template.context_processors.i18n",
            ],
        },
    },
]

# --- Database -------------------------------------------------------------------------------------------------
DEFAULT_SQLITE_PATH = VAR_DIR / "oms.sqlite3"
DATABASE_URL = env_str("DATABASE_URL", "") or f"sqlite:///{DEFAULT_SQLITE_PATH}"
try:
    _db = dj_database_url.parse(DATABASE_URL, conn_max_age=env_int("OMS_DB_CONN_MAX_AGE", 600))
except ValueError as exc:  # the URL itself is not repeated: it may hold a password
    raise ImproperlyConfigured(f"DATABASE_URL: not a database URL ({exc})") from None
if _db["ENGINE"] == "django.db.backends.sqlite3":
    _db["CONN_MAX_AGE"] = 0
    _db["OPTIONS"] = {
        # Writers take the lock when the transaction starts and wait for it (busy timeout) instead of failing
        # half-way with "database is locked"; WAL lets readers run beside the one writer.
        "transaction_mode": "IMMEDIATE",
        "timeout": 30,
        "init_command": "PRAGMA journal_mode=WAL; PRAGMA synchronous=NORMAL; PRAGMA foreign_keys=ON;",
    }
    _db["TEST"] = {"NAME": str(VAR_DIR / f"test_oms_{os.getpid()}.sqlite3")}
elif _db["ENGINE"] == "django.db.backends.mysql":
    _db["OPTIONS"] = {
        "charset": "utf8mb4",
        "isolation_level": "read committed",
        "init_command": "SET sql_mode='STRICT_TRANS_TABLES'",
    }
    # The server's default collation, as a new user's database has: identifiers compare exactly anyway, as on
    # PostgreSQL and SQLite, because their columns carry a binary collation of their own (oms.common.fields).
    _db["TEST"] = {"CHARSET": "utf8mb4"}
if _db["ENGINE"] != "django.db.backends.sqlite3":
    # One test database per test process, so that several test runs on one server never drop each other's.
    _db.setdefault("TEST", {})["NAME"] = f"test_{_db['NAME']}_{os.getpid()}"
if _db["ENGINE"] == "django.db.backends.postgresql":
    _db["CONN_HEALTH_CHECKS"] = True
    # Statements run through oms.common.db.prepared_cursor are prepared from their 5th run on a connection.
    # Set OMS_DB_PREPARE_THRESHOLD to "off" behind a pooler that cannot keep prepared statements
    # (PgBouncer in transaction mode before 1.21).
    _prepare = None if env_str("OMS_DB_PREPARE_THRESHOLD", "") == "off" else env_int("OMS_DB_PREPARE_THRESHOLD", 5)
    _db.setdefault("OPTIONS", {})["prepare_threshold"] = _prepare
DATABASES = {"default": _db}
DEFAULT_AUTO_FIELD = "django.db.models.BigAutoField"

# --- Cache (optional Redis) ------------------------------------------------------------------------------------
REDIS_URL = env_str("REDIS_URL", "")
if REDIS_URL:
    CACHES = {
        "default": {
            "BACKEND": "django_redis.cache.RedisCache",
            "LOCATION": REDIS_URL,
            "OPTIONS": {"CLIENT_CLASS": "django_redis.client.DefaultClient"},
            "KEY_PREFIX": "oms",
        }
    }
else:
    CACHES = {"default": {"BACKEND": "django.core.cache.backends.locmem.LocMemCache", "LOCATION": "oms"}}

# --- Auth, i18n, static --------------------------------------------------------------------------------------
AUTH_PASSWORD_VALIDATORS = [
    {"NAME": "django.contrib.auth.password_validation.MinimumLengthValidator"},
    {"NAME": "django.contrib.auth.password_validation.CommonPasswordValidator"},
]
# Simplified Chinese and English. A request's language is, in order: the signed-in user's saved choice
# (oms.accounts.language), the switcher's cookie, the browser's Accept-Language, then this default.
LANGUAGES = [("zh-hans", "简体中文"), ("en", "English")]
LANGUAGE_CODE = env_choice("OMS_DEFAULT_LANGUAGE", "zh-hans", [code for code, _name in LANGUAGES])
LANGUAGE_COOKIE_NAME = "oms_language"
LANGUAGE_COOKIE_AGE = 365 * 24 * 3600
LANGUAGE_COOKIE_SAMESITE = "Lax"
# Dates read "2026年12月2日 14:03" / "2 Dec 2026, 14:03" (oms/common/formats/).
FORMAT_MODULE_PATH = ["oms.common.formats"]
TIME_ZONE = env_time_zone("TIME_ZONE", "Asia/Shanghai")
USE_I18N = True
USE_TZ = True
STATIC_URL = "static/"
STATIC_ROOT = env.path("OMS_STATIC_ROOT", VAR_DIR / "static")
STORAGES = {
    "default": {"BACKEND": "django.core.files.storage.FileSystemStorage"},
    "staticfiles": {"BACKEND": "whitenoise.storage.CompressedStaticFilesStorage"},
}
# The storefront's login form serves customers and staff alike (staff then go to /console/).
LOGIN_URL = "/login/"
LOGIN_REDIRECT_URL = "/"

# --- API ------------------------------------------------------------------------------------------------------
REST_FRAMEWORK = {
    "DEFAULT_AUTHENTICATION_CLASSES": [
        "oms.accounts.authentication.CachedTokenAuthentication",
        "rest_framework.authentication.SessionAuthentication",
    ],
    "DEFAULT_PERMISSION_CLASSES": ["rest_framework.permissions.IsAuthenticated"],
    "DEFAULT_PARSER_CLASSES": ["oms.common.parsers.JSONParser"],
    "DEFAULT_RENDERER_CLASSES": ["rest_framework.renderers.JSONRenderer"],
    "EXCEPTION_HANDLER": "oms.common.api.exception_handler",
    "DEFAULT_SCHEMA_CLASS": "drf_spectacular.openapi.AutoSchema",
    "UNAUTHENTICATED_USER": "django.contrib.auth.models.AnonymousUser",
}
SPECTACULAR_SETTINGS = {
    "TITLE": "oms API",
    "DESCRIPTION": "Online order management: catalog, stock, orders.",
    "VERSION": "1",
    "SERVE_INCLUDE_SCHEMA": False,
    "COMPONENT_SPLIT_REQUEST": True,
    # Placement's payment_method and /pay/'s method take the same two online methods: one schema name for both.
    "ENUM_NAME_OVERRIDES": {"OnlinePaymentMethodEnum": ["alipay", "balance"]},
}
TOKEN_CACHE_SECONDS = env_int("OMS_TOKEN_CACHE_SECONDS", 60)

# --- Orders ---------------------------------------------------------------------------------------------------
OMS_CURRENCY = "CNY"
OMS_ORDER_PAYMENT_TIMEOUT = timedelta(minutes=env_int("OMS_ORDER_PAYMENT_TIMEOUT_MINUTES", 30))
# Shipping fee rule: a flat fee, waived when the subtotal reaches the threshold (empty threshold: never waived).
OMS_SHIPPING_FEE = env_decimal("OMS_SHIPPING_FEE", "10.00")
_waived = env_str("OMS_FREE_SHIPPING_THRESHOLD", "99.00").strip() != ""  # set but empty: never waived
OMS_FREE_SHIPPING_THRESHOLD = env_decimal("OMS_FREE_SHIPPING_THRESHOLD", "99.00") if _waived else None
OMS_MAX_ORDER_LINES = 100
OMS_MAX_LINE_QUANTITY = 999

LOGGING = {
    "version": 1,
    "disable_existing_loggers": False,
    "handlers": {"console": {"class": "logging.StreamHandler"}},
    "root": {"handlers": ["console"], "level": _typed(env.log_level, "LOG_LEVEL", "WARNING", "a log level")},
}

# --- Payments -------------------------------------------------------------------------------------------------
OMS_ENV = env_str("OMS_ENV", "development")
OMS_PAYMENT_GATEWAYS = {"alipay": "oms.payments.gateways.alipay.AlipayGateway"}
# Public address of this system, used in notify/return URLs given to gateways (default: taken from the request).
OMS_PUBLIC_BASE_URL = env_str("OMS_PUBLIC_BASE_URL", "").rstrip("/")
# The port ``oms up`` and ``oms serve`` listen on unless told --port (scripts/run.sh passes PORT on).
OMS_PORT = env_int("PORT", 8000)
# Without real credentials, Alipay is the local sandbox (oms.sandbox), which a system check refuses in production.
ALIPAY_APP_ID = env_str("ALIPAY_APP_ID", "")
ALIPAY_SANDBOX = env_bool("ALIPAY_SANDBOX", not ALIPAY_APP_ID)
ALIPAY_GATEWAY_URL = env_str("ALIPAY_GATEWAY_URL", "https://openapi.alipay.com/gateway.do")
ALIPAY_SELLER_ID = env_str("ALIPAY_SELLER_ID", "")
ALIPAY_APP_PRIVATE_KEY = env_str("ALIPAY_APP_PRIVATE_KEY", "")  # PEM text
ALIPAY_PUBLIC_KEY = env_str("ALIPAY_PUBLIC_KEY", "")  # PEM text
SANDBOX_ALIPAY_RETRY_FACTOR = env_float("SANDBOX_ALIPAY_RETRY_FACTOR", 1.0)
# A refund still pending this long (its answer lost, its process gone) is settled by asking the gateway
# (oms.payments.refund_recovery, run by the beat job "resume-stuck-refunds").
OMS_REFUND_STUCK_AFTER = timedelta(minutes=env_int("OMS_REFUND_STUCK_AFTER_MINUTES", 10))
# A refund attempt that settled nothing is tried again after 2, 4, 8… minutes; an automatic refund (of a late
# payment) gives up after this many attempts and is left to staff as an open payment issue.
OMS_REFUND_RETRY_BASE = timedelta(seconds=env_int("OMS_REFUND_RETRY_BASE_SECONDS", 120))
OMS_REFUND_MAX_ATTEMPTS = env_int("OMS_REFUND_MAX_ATTEMPTS", 8)
if ALIPAY_SANDBOX:
    INSTALLED_APPS.append("oms.sandbox")
    OMS_PAYMENT_GATEWAYS["alipay"] = "oms.sandbox.backend.SandboxAlipayGateway"

# --- Shipping -------------------------------------------------------------------------------------------------
# Carriers are backends by code (oms.shipping.carriers); each one's webhook secret is OMS_CARRIER_<CODE>_SECRET.
OMS_CARRIERS: dict[str, str] = {}
# The local carrier simulator "sim" (public default secret): on outside production, refused there by a check.
OMS_CARRIER_SIM = env_bool("OMS_CARRIER_SIM", OMS_ENV != "production")
if OMS_CARRIER_SIM:
    OMS_CARRIERS["sim"] = "oms.shipping.carriers.sim.SimCarrier"
OMS_CARRIER_SECRETS = {
    code: env_str(f"OMS_CARRIER_{code.upper()}_SECRET", "sim-secret" if code == "sim" else "") for code in OMS_CARRIERS
}
# A signed webhook older (or newer) than this is refused, so a captured request cannot be replayed later.
OMS_CARRIER_WEBHOOK_TOLERANCE_SECONDS = 300
OMS_CARRIER_SIM_STEP_SECONDS = env_int("OMS_CARRIER_SIM_STEP_SECONDS", 60)
# Shipped orders the customer never confirmed are completed this many days after their last parcel left.
OMS_AUTO_COMPLETE_DAYS = env_int("OMS_AUTO_COMPLETE_DAYS", 10)

# --- After-sales ----------------------------------------------------------------------------------------------
# A delivered unit may be sent back for a refund until this many days after its parcel was delivered
# (or, if the carrier never reported delivery, after the order was completed): oms.aftersales.selectors.
OMS_RETURN_WINDOW_DAYS = env_int("OMS_RETURN_WINDOW_DAYS", 7)

# --- Replenishment policy, the shop default (oms.planning.policy: a SKU's or its supplier's own values win) -----
OMS_REPLENISH_ORDER_COST = env_decimal("OMS_REPLENISH_ORDER_COST", "50.00")  # S: cost per purchase order
# H: holding cost of one unit for a year, as a share of its price.
OMS_REPLENISH_HOLDING_RATE = env_decimal("OMS_REPLENISH_HOLDING_RATE", "0.25")
OMS_REPLENISH_LEAD_DAYS = env_int("OMS_REPLENISH_LEAD_DAYS", 7)  # L: supplier lead time in days
OMS_REPLENISH_SERVICE_LEVEL = env_float("OMS_REPLENISH_SERVICE_LEVEL", 0.95)  # chance of no stock-out
# Demand forecasts (oms.planning): fitted to this many days of orders, forecasting this many days ahead, computed
# every day at OMS_PLANNING_FORECAST_AT (shop time) and kept this many days.
OMS_PLANNING_HISTORY_DAYS = env_int("OMS_PLANNING_HISTORY_DAYS", 182)
OMS_PLANNING_HORIZON_DAYS = env_int("OMS_PLANNING_HORIZON_DAYS", 120)
OMS_PLANNING_FORECAST_AT = env_time_of_day("OMS_PLANNING_FORECAST_AT", "02:30")
OMS_PLANNING_KEEP_DAYS = env_int("OMS_PLANNING_KEEP_DAYS", 60)
# A SKU is low on stock at or below its reorder point, and always at or below this many available units.
OMS_LOW_STOCK_UNITS = env_int("OMS_LOW_STOCK_UNITS", 5)

# --- Purchasing (oms.purchasing: suppliers, purchase orders, receipts into stock) -----------------------------
# No supplier price list exists yet: a purchase order line costs this share of the SKU's selling price unless
# staff enter the real unit cost.
OMS_PURCHASE_COST_RATIO = env_decimal("OMS_PURCHASE_COST_RATIO", "0.6")

# --- Celery ---------------------------------------------------------------------------------------------------
# The embedded broker: folders under var/ ("localhost" only so that kombu does not warn of a missing host). Its
# exchange tables go there too (control_folder), not into a control/ folder in whatever directory a process runs in.
CELERY_BROKER_URL = env_str("CELERY_BROKER_URL", "") or "filesystem://localhost//"
CELERY_EMBEDDED_BROKER = CELERY_BROKER_URL.startswith("filesystem://")
if CELERY_EMBEDDED_BROKER:
    _queue_dir = VAR_DIR / "celery-queue"
    CELERY_BROKER_TRANSPORT_OPTIONS = {
        "data_folder_in": str(_queue_dir),
        "data_folder_out": str(_queue_dir),
        "control_folder": str(VAR_DIR / "celery-control"),
        "processed_folder": str(VAR_DIR / "celery-processed"),
        "store_processed": False,
    }
CELERY_TASK_IGNORE_RESULT = True
CELERY_TASK_ACKS_LATE = True
CELERY_WORKER_PREFETCH_MULTIPLIER = 1
CELERY_TIMEZONE = TIME_ZONE
CELERY_BEAT_SCHEDULE_FILENAME = str(VAR_DIR / "celerybeat-schedule")
# One scheduler per schedule file: a second one refuses to start (oms.runtime.scheduler).
CELERY_BEAT_SCHEDULER = "oms.runtime.scheduler.SingleScheduler"
OMS_RECONCILE_AFTER_MINUTES = env_int("OMS_RECONCILE_AFTER_MINUTES", 10)
# The daily comparison with the gateway (of the day before) runs at this shop time (TIME_ZONE) every day, whenever
# the scheduler was started.
OMS_DAILY_RECONCILIATION_AT = env_time_of_day("OMS_DAILY_RECONCILIATION_AT", "03:30")
CELERY_BEAT_SCHEDULE = {
    "expire-unpaid-orders": {"task": "oms.payments.tasks.expire_unpaid_orders", "schedule": 60.0},
    "reconcile-stale-payments": {"task": "oms.payments.tasks.reconcile_stale_payments", "schedule": 300.0},
    "resume-stuck-refunds": {"task": "oms.payments.tasks.resume_stuck_refunds", "schedule": 60.0},
    "daily-reconciliation": {
        "task": "oms.payments.tasks.daily_reconciliation",
        "schedule": crontab(hour=OMS_DAILY_RECONCILIATION_AT.hour, minute=OMS_DAILY_RECONCILIATION_AT.minute),
    },
    "poll-carriers": {"task": "oms.shipping.tasks.poll_carriers", "schedule": 300.0},
    "auto-complete-orders": {"task": "oms.shipping.tasks.auto_complete_orders", "schedule": 3600.0},
    "compute-forecasts": {
        "task": "oms.planning.tasks.compute_forecasts",
        "schedule": crontab(hour=OMS_PLANNING_FORECAST_AT.hour, minute=OMS_PLANNING_FORECAST_AT.minute),
    },
}
if OMS_CARRIER_SIM:
    CELERY_BEAT_SCHEDULE["carrier-simulator"] = {"task": "oms.shipping.tasks.run_carrier_simulator", "schedule": 30.0}
if ALIPAY_SANDBOX:
    CELERY_BEAT_SCHEDULE["sandbox-notifications"] = {
        "task": "oms.sandbox.tasks.deliver_sandbox_notifications",
        "schedule": 30.0,
    }

# --- Web security: HTTPS, cookies, Content-Security-Policy, API docs, error pages ------------------------------
# Each is an environment variable, on by default when OMS_ENV=production and off otherwise (plain HTTP on
# localhost in development). `oms check --deploy` checks them.
OMS_PRODUCTION = OMS_ENV == "production"
SESSION_COOKIE_SECURE = env_bool("SESSION_COOKIE_SECURE", OMS_PRODUCTION)
CSRF_COOKIE_SECURE = env_bool("CSRF_COOKIE_SECURE", OMS_PRODUCTION)
SECURE_SSL_REDIRECT = env_bool("SECURE_SSL_REDIRECT", OMS_PRODUCTION)
SECURE_HSTS_SECONDS = env_int("SECURE_HSTS_SECONDS", 31_536_000 if OMS_PRODUCTION else 0)
SECURE_HSTS_INCLUDE_SUBDOMAINS = env_bool("SECURE_HSTS_INCLUDE_SUBDOMAINS", OMS_PRODUCTION)
SECURE_HSTS_PRELOAD = env_bool("SECURE_HSTS_PRELOAD", OMS_PRODUCTION)
# Behind a TLS-terminating proxy: "Header-Name:value" marks a request as HTTPS; "off" (or empty) trusts no header.
# Only safe when the proxy sets (and overwrites) that header on every request.
_proxy_ssl = env_str("SECURE_PROXY_SSL_HEADER", "X-Forwarded-Proto:https" if OMS_PRODUCTION else "off")
if _proxy_ssl.strip().lower() in {"", "off", "false", "0", "no"}:
    SECURE_PROXY_SSL_HEADER = None
else:
    _header, _, _value = _proxy_ssl.partition(":")
    if not _header.strip() or not _value.strip():
        raise ImproperlyConfigured(f"SECURE_PROXY_SSL_HEADER must be 'Header-Name:value' or 'off', got {_proxy_ssl!r}")
    SECURE_PROXY_SSL_HEADER = ("HTTP_" + _header.strip().upper().replace("-", "_"), _value.strip())

# Content-Security-Policy (django-csp): pages load scripts, styles, fonts and data only from this server. No inline
# script, event handler or style anywhere (templates use static files); images may also be data: URIs (Swagger
# UI's icons). form-action is left open: paying posts to our server, which redirects to the payment gateway.
INSTALLED_APPS.append("csp")
MIDDLEWARE.insert(MIDDLEWARE.index("django.middleware.security.SecurityMiddleware") + 1, "csp.middleware.CSPMiddleware")
CONTENT_SECURITY_POLICY = {
    "DIRECTIVES": {
        "default-src": ["'self'"],
        "script-src": ["'self'"],
        "style-src": ["'self'"],
        "img-src": ["'self'", "data:"],
        "font-src": ["'self'"],
        "connect-src": ["'self'"],
        "object-src": ["'none'"],
        "base-uri": ["'self'"],
        "frame-ancestors": ["'none'"],
    }
}

# Swagger UI and ReDoc from the drf-spectacular-sidecar package (our static files), not from a CDN.
INSTALLED_APPS.append("drf_spectacular_sidecar")
SPECTACULAR_SETTINGS["SWAGGER_UI_DIST"] = "SIDECAR"
SPECTACULAR_SETTINGS["SWAGGER_UI_FAVICON_HREF"] = "SIDECAR"
SPECTACULAR_SETTINGS["REDOC_DIST"] = "SIDECAR"
# No badge image from the public online validator.
SPECTACULAR_SETTINGS["SWAGGER_UI_SETTINGS"] = {"deepLinking": True, "validatorUrl": None}

# A form posted with an expired CSRF token gets a page saying to reload (JSON under /api/).
CSRF_FAILURE_VIEW = "oms.web_vendor.error_pages.csrf_failure"

# --- Log-in throttling (django-axes) and sign-up rate ---------------------------------------------------------
# Failed log-ins through any Django auth path (the shop's /login/, /admin/login/, the API token) are counted per
# account and per client address in the database (shared by every worker); past either limit every log-in of that
# account, or from that address, is refused with 429 until the cool-off has passed (oms.accounts.throttle).
INSTALLED_APPS.append("axes")
MIDDLEWARE.append("axes.middleware.AxesMiddleware")  # last: turns a lockout into the 429 page
AUTHENTICATION_BACKENDS = [
    "axes.backends.AxesStandaloneBackend",  # first: refuses a locked-out account or address before any password check
    "django.contrib.auth.backends.ModelBackend",
]
AXES_HANDLER = "oms.accounts.throttle.AccountAndAddressHandler"
AXES_LOCKOUT_PARAMETERS = [["username"], ["ip_address"]]
AXES_FAILURE_LIMIT = env_int("OMS_LOGIN_FAILURES_PER_ACCOUNT", 5)
OMS_LOGIN_FAILURES_PER_ADDRESS = env_int("OMS_LOGIN_FAILURES_PER_ADDRESS", 20)
AXES_COOLOFF_TIME = timedelta(minutes=env_int("OMS_LOGIN_LOCKOUT_MINUTES", 15))
# Tries made while locked out do not extend the lockout (an attacker cannot keep an account locked by hammering
# it), and a successful log-in clears only that account's failures, never its address's (oms.accounts.throttle).
AXES_RESET_COOL_OFF_ON_FAILURE_DURING_LOCKOUT = False
AXES_RESET_ON_SUCCESS = False
AXES_DISABLE_ACCESS_LOG = True  # no row per successful log-in
AXES_CLIENT_IP_CALLABLE = "oms.accounts.throttle.client_address"
AXES_LOCKOUT_CALLABLE = "oms.accounts.lockout.lockout_response"
# Reverse proxies in front of oms that append the client's address to X-Forwarded-For (0: clients connect directly).
OMS_TRUSTED_PROXIES = env_int("OMS_TRUSTED_PROXIES", 0)
# Sign-ups per client address (django-ratelimit on the cache: shared with REDIS_URL, per process without it).
OMS_SIGNUP_RATE = env_str("OMS_SIGNUP_RATE", "10/h")
RATELIMIT_IP_META_KEY = "oms.accounts.throttle.client_address"
