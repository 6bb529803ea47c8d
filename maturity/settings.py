"""Settings, read from the environment.

MATURITY_ENV chooses the profile: ``demo`` (the default for ``make demo``), ``development``,
``test`` or ``production``. Production refuses to start without the secrets it needs.
"""

from __future__ import annotations

import os
import secrets
from pathlib import Path

import dj_database_url
import nhsuk_frontend_jinja
from django.core.exceptions import ImproperlyConfigured

BASE_DIR = Path(__file__).resolve().parent.parent
VAR_DIR = Path(os.environ.get("MATURITY_VAR_DIR", BASE_DIR / "var"))

ENVIRONMENTS = {"demo", "development", "test", "production"}
MATURITY_ENV = os.environ.get("MATURITY_ENV", "development")
if MATURITY_ENV not in ENVIRONMENTS:
    raise ImproperlyConfigured(
        f"MATURITY_ENV={MATURITY_ENV!r} is not one of {sorted(ENVIRONMENTS)}."
    )
IS_PRODUCTION = MATURITY_ENV == "production"


def env_bool(name: str, default: bool) -> bool:
    value = os.environ.get(name)
    if value is None:
        return default
    if value.lower() in {"1", "true", "yes", "on"}:
        return True
    if value.lower() in {"0", "false", "no", "off", ""}:
        return False
    raise ImproperlyConfigured(f"{name}={value!r} is not a boolean (use true or false).")


def env_list(name: str, default: list[str]) -> list[str]:
    value = os.environ.get(name)
    if value is None:
        return default
    return [item.strip() for item in value.split(",") if item.strip()]


def require_env(name: str, hint: str) -> str:
    value = os.environ.get(name)
    if not value:
        raise ImproperlyConfigured(f"{name} must be set when MATURITY_ENV=production. {hint}")
    return value


def _local_secret_key() -> str:
    # Outside production a key is kept per checkout, so sessions survive restarts
    # without a secret ever being committed.
    VAR_DIR.mkdir(parents=True, exist_ok=True)
    key_file = VAR_DIR / "secret_key"
    if not key_file.exists():
        key_file.write_text(secrets.token_urlsafe(50))
    return key_file.read_text().strip()


if IS_PRODUCTION:
    SECRET_KEY = require_env(
        "SECRET_KEY",
        "Generate one with: python -c 'import secrets; print(secrets.token_urlsafe(50))'",
    )
    _database_url = require_env(
        "DATABASE_URL", "For example postgres://user:pass@host:5432/maturity"
    )
    ALLOWED_HOSTS = env_list("ALLOWED_HOSTS", [])
    if not ALLOWED_HOSTS:
        raise ImproperlyConfigured("ALLOWED_HOSTS must list the host names served in production.")
else:
    SECRET_KEY = os.environ.get("SECRET_KEY") or _local_secret_key()
    _database_url = os.environ.get("DATABASE_URL") or f"sqlite:///{VAR_DIR / 'maturity.sqlite3'}"
    ALLOWED_HOSTS = env_list("ALLOWED_HOSTS", ["127.0.0.1", "localhost", "testserver"])

DEBUG = env_bool("DEBUG", MATURITY_ENV == "development")
if DEBUG and IS_PRODUCTION:
    raise ImproperlyConfigured("DEBUG cannot be on in production.")

DATABASES = {"default": dj_database_url.parse(_database_url, conn_max_age=60)}
if DATABASES["default"]["ENGINE"] == "django.db.backends.sqlite3":
    # WAL and a busy timeout let several processes (web, worker) share the file safely.
    DATABASES["default"]["OPTIONS"] = {
        "timeout": 20,
        "transaction_mode": "IMMEDIATE",
        "init_command": "PRAGMA journal_mode=WAL; PRAGMA synchronous=NORMAL;",
    }
    DATABASES["default"]["CONN_MAX_AGE"] = 0
DATABASES["default"]["TEST"] = (
    {"NAME": os.environ.get("TEST_DATABASE_NAME")} if os.environ.get("TEST_DATABASE_NAME") else {}
)

INSTALLED_APPS = [
    # The admin, restricted to national analysts (maturity/web/admin.py).
    "maturity.accounts.apps.ObservatoryAdminConfig",
    "django.contrib.auth",
    "django.contrib.contenttypes",
    "django.contrib.sessions",
    "django.contrib.messages",
    "whitenoise.runserver_nostatic",
    "django.contrib.staticfiles",
    "django_tasks",
    "django_tasks_db",
    "maturity.accounts",
    "maturity.audit",
    "maturity.organisations",
    "maturity.frameworks",
    "maturity.assessments",
    "maturity.reviews",
    "maturity.results",
    "maturity.benchmarks",
    "maturity.commitments",
    "maturity.web",
    "maturity.support",
    "maturity.national",
]

MIDDLEWARE = [
    "django.middleware.security.SecurityMiddleware",
    "whitenoise.middleware.WhiteNoiseMiddleware",
    "maturity.web.middleware.ContentSecurityPolicyMiddleware",
    "django.contrib.sessions.middleware.SessionMiddleware",
    "django.middleware.common.CommonMiddleware",
    "django.middleware.csrf.CsrfViewMiddleware",
    "django.contrib.auth.middleware.AuthenticationMiddleware",
    "django.contrib.messages.middleware.MessageMiddleware",
    "maturity.accounts.middleware.IdleTimeoutMiddleware",
    "django.middleware.clickjacking.XFrameOptionsMiddleware",
]

ROOT_URLCONF = "maturity.urls"
WSGI_APPLICATION = "maturity.wsgi.application"
AUTH_USER_MODEL = "accounts.User"
LOGIN_URL = "/accounts/sign-in/"
LOGIN_REDIRECT_URL = "/"
# Passwords as Django checks them; admin model permissions follow memberships (national analysts).
AUTHENTICATION_BACKENDS = ["maturity.accounts.backends.MembershipBackend"]

TEMPLATES = [
    {
        "BACKEND": "django.template.backends.jinja2.Jinja2",
        "DIRS": [Path(nhsuk_frontend_jinja.__file__).parent / "templates"],
        "APP_DIRS": True,
        "OPTIONS": {
            "environment": "maturity.web.jinja2env.environment",
        },
    },
    {
        # Django admin only.
        "BACKEND": "django.template.backends.django.DjangoTemplates",
        "DIRS": [],
        "APP_DIRS": True,
        "OPTIONS": {
            "context_processors": [
                "django.template.context_processors.request",
                "django.contrib.auth.context_processors.auth",
                "django.contrib.messages.context_processors.messages",
            ]
        },
    },
]

AUTH_PASSWORD_VALIDATORS = [
    {"NAME": "django.contrib.auth.password_validation.UserAttributeSimilarityValidator"},
    {
        "NAME": "django.contrib.auth.password_validation.MinimumLengthValidator",
        "OPTIONS": {"min_length": 12},
    },
    {"NAME": "django.contrib.auth.password_validation.CommonPasswordValidator"},
]

LANGUAGE_CODE = "en-gb"
TIME_ZONE = "Europe/London"
USE_I18N = False
USE_TZ = True

STATIC_URL = "/static/"
STATIC_ROOT = VAR_DIR / "static"
STATIC_ROOT.mkdir(parents=True, exist_ok=True)  # WhiteNoise warns if it is missing
# Finders let WhiteNoise serve the vendored assets without a collectstatic step.
WHITENOISE_USE_FINDERS = True
WHITENOISE_AUTOREFRESH = DEBUG

DEFAULT_AUTO_FIELD = "django.db.models.BigAutoField"

# Security headers. Cookies are marked secure wherever the service runs behind HTTPS.
_https = env_bool("HTTPS", IS_PRODUCTION)
SESSION_COOKIE_SECURE = _https
CSRF_COOKIE_SECURE = _https
SESSION_COOKIE_HTTPONLY = True
SESSION_COOKIE_SAMESITE = "Lax"
SESSION_COOKIE_AGE = int(os.environ.get("SESSION_COOKIE_AGE", 60 * 60 * 8))
SESSION_EXPIRE_AT_BROWSER_CLOSE = True
# Signed out after this many seconds without a request (maturity.accounts.middleware).
SESSION_IDLE_TIMEOUT = int(os.environ.get("SESSION_IDLE_TIMEOUT", 30 * 60))
# Sign-in throttling (maturity.accounts.throttling): failures within the window lock sign-in for
# LOGIN_LOCKOUT seconds. The per-address limit is higher because an NHS organisation's staff
# often share one outgoing address.
LOGIN_FAILURE_LIMIT = int(os.environ.get("LOGIN_FAILURE_LIMIT", 5))
LOGIN_IP_FAILURE_LIMIT = int(os.environ.get("LOGIN_IP_FAILURE_LIMIT", 50))
LOGIN_FAILURE_WINDOW = int(os.environ.get("LOGIN_FAILURE_WINDOW", 15 * 60))
LOGIN_LOCKOUT = int(os.environ.get("LOGIN_LOCKOUT", 15 * 60))
# Reverse proxies in front of the service that append to X-Forwarded-For (0: use REMOTE_ADDR).
LOGIN_TRUSTED_PROXY_COUNT = int(os.environ.get("LOGIN_TRUSTED_PROXY_COUNT", 0))
SECURE_CONTENT_TYPE_NOSNIFF = True
SECURE_REFERRER_POLICY = "same-origin"
SECURE_CROSS_ORIGIN_OPENER_POLICY = "same-origin"
X_FRAME_OPTIONS = "DENY"
if _https:
    SECURE_HSTS_SECONDS = 60 * 60 * 24 * 365
    SECURE_HSTS_INCLUDE_SUBDOMAINS = True
    SECURE_SSL_REDIRECT = env_bool("SECURE_SSL_REDIRECT", True)
    SECURE_PROXY_SSL_HEADER = ("HTTP_X_FORWARDED_PROTO", "https")
CSRF_TRUSTED_ORIGINS = env_list("CSRF_TRUSTED_ORIGINS", [])

CONTENT_SECURITY_POLICY = "; ".join(
    [
        "default-src 'self'",
        "script-src 'self'",
        "style-src 'self'",
        "img-src 'self' data:",
        "font-src 'self'",
        "connect-src 'self'",
        "object-src 'none'",
        "base-uri 'self'",
        "form-action 'self'",
        "frame-ancestors 'none'",
    ]
)

# Uploaded data files (imports) and evidence live under var/ unless told otherwise.
MEDIA_ROOT = Path(os.environ.get("MEDIA_ROOT", VAR_DIR / "media"))
DATA_UPLOAD_MAX_MEMORY_SIZE = 10 * 1024 * 1024

LOGGING = {
    "version": 1,
    "disable_existing_loggers": False,
    "handlers": {"console": {"class": "logging.StreamHandler"}},
    "root": {"handlers": ["console"], "level": os.environ.get("LOG_LEVEL", "INFO")},
    "loggers": {"django.db.backends": {"level": "INFO"}},
}

IS_DEMO = MATURITY_ENV == "demo"

# Background work runs in `maturity worker` from a database queue; the test suite runs tasks
# immediately so their effects can be asserted.
TASKS = {
    "default": {
        "BACKEND": "django_tasks.backends.immediate.ImmediateBackend"
        if MATURITY_ENV == "test"
        else "django_tasks_db.DatabaseBackend"
    }
}

# Email: the console in demo and development; SMTP settings when EMAIL_HOST is set.
if os.environ.get("EMAIL_HOST"):
    EMAIL_BACKEND = "django.core.mail.backends.smtp.EmailBackend"
    EMAIL_HOST = os.environ["EMAIL_HOST"]
    EMAIL_PORT = int(os.environ.get("EMAIL_PORT", "587"))
    EMAIL_HOST_USER = os.environ.get("EMAIL_HOST_USER", "")
    EMAIL_HOST_PASSWORD = os.environ.get("EMAIL_HOST_PASSWORD", "")
    EMAIL_USE_TLS = env_bool("EMAIL_USE_TLS", True)
elif IS_PRODUCTION:
    raise ImproperlyConfigured(
        "EMAIL_HOST must be set in production (reminders are sent by email)."
    )
else:
    EMAIL_BACKEND = "django.core.mail.backends.console.EmailBackend"
DEFAULT_FROM_EMAIL = os.environ.get("DEFAULT_FROM_EMAIL", "observatory@localhost")

# Public address of the service, used in FHIR canonical URLs (Questionnaire.url).
FHIR_CANONICAL_BASE = os.environ.get("FHIR_CANONICAL_BASE", "")

# OpenID Connect sign-in (NHS CIS2-compatible), off unless OIDC_CLIENT_ID is set: then the
# sign-in page offers "Sign in with …" (maturity.accounts.oidc, docs/adr/0008). The names are
# mozilla-django-oidc's. Endpoints left empty are read from the issuer's discovery document.
OIDC_RP_CLIENT_ID = os.environ.get("OIDC_CLIENT_ID", "")
OIDC_RP_CLIENT_SECRET = os.environ.get("OIDC_CLIENT_SECRET", "")
OIDC_OP_ISSUER = os.environ.get("OIDC_ISSUER", "")
OIDC_OP_AUTHORIZATION_ENDPOINT = os.environ.get("OIDC_AUTHORIZATION_ENDPOINT", "")
OIDC_OP_TOKEN_ENDPOINT = os.environ.get("OIDC_TOKEN_ENDPOINT", "")
OIDC_OP_USER_ENDPOINT = os.environ.get("OIDC_USERINFO_ENDPOINT", "")
OIDC_OP_JWKS_ENDPOINT = os.environ.get("OIDC_JWKS_ENDPOINT", "")
OIDC_RP_SCOPES = os.environ.get("OIDC_SCOPES", "openid profile email")
OIDC_RP_SIGN_ALGO = os.environ.get("OIDC_SIGN_ALGORITHM", "RS256")
OIDC_PROVIDER_NAME = os.environ.get("OIDC_PROVIDER_NAME", "NHS Care Identity Service 2")
OIDC_TIMEOUT = int(os.environ.get("OIDC_TIMEOUT", 10))
OIDC_USE_NONCE = True
OIDC_USE_PKCE = True
OIDC_PKCE_CODE_CHALLENGE_METHOD = "S256"
OIDC_AUTHENTICATION_CALLBACK_URL = "accounts:oidc-callback"
OIDC_STORE_ACCESS_TOKEN = False
OIDC_STORE_ID_TOKEN = False
if OIDC_RP_CLIENT_ID:
    if not OIDC_OP_ISSUER or not OIDC_RP_CLIENT_SECRET:
        raise ImproperlyConfigured("OIDC_CLIENT_ID needs OIDC_ISSUER and OIDC_CLIENT_SECRET too.")
    # Only the provider's public keys may sign ID tokens: no shared-secret (HS*) or "none".
    if OIDC_RP_SIGN_ALGO not in {"RS256", "RS384", "RS512", "PS256", "PS384", "PS512", "ES256"}:
        raise ImproperlyConfigured(f"OIDC_SIGN_ALGORITHM={OIDC_RP_SIGN_ALGO!r} is not allowed.")
    AUTHENTICATION_BACKENDS = [*AUTHENTICATION_BACKENDS, "maturity.accounts.oidc.OidcBackend"]
