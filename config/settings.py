"""Coworklib settings: everything comes from environment variables (see README)."""

import secrets
from pathlib import Path

from django.utils.translation import gettext_lazy as _

from coworklib.core.env import (
    EnvError,
    envbool,
    envint,
    envlist,
    envstr,
    parse_database_url,
    parse_email_url,
    sqlite_database,
)

BASE_DIR = Path(__file__).resolve().parent.parent
DATA_DIR = Path(envstr("COWORKLIB_DATA_DIR", str(BASE_DIR / "var"))).resolve()

DEBUG = envbool("DEBUG", False)
# TESTING is set by the test runner's settings module; it relaxes nothing that
# production relies on, it only swaps the mail and static storage backends.
TESTING = envbool("COWORKLIB_TESTING", False)


def _secret_key() -> str:
    """SECRET_KEY from the environment, else one generated once and kept in the data folder."""
    configured = envstr("SECRET_KEY")
    if configured:
        if len(configured) < 50:
            raise EnvError("SECRET_KEY must be at least 50 characters long")
        return configured
    key_file = DATA_DIR / "secret_key"
    if key_file.exists():
        return key_file.read_text().strip()
    DATA_DIR.mkdir(parents=True, exist_ok=True)
    key = secrets.token_urlsafe(64)
    key_file.write_text(key)
    key_file.chmod(0o600)
    return key


SECRET_KEY = _secret_key()
ALLOWED_HOSTS = envlist("ALLOWED_HOSTS", ["127.0.0.1", "localhost", "[::1]"])
CSRF_TRUSTED_ORIGINS = envlist("CSRF_TRUSTED_ORIGINS", [])
SITE_URL = envstr("SITE_URL", "http://127.0.0.1:8000").rstrip("/")

INSTALLED_APPS = [
    "django.contrib.admin",
    "django.contrib.auth",
    "django.contrib.contenttypes",
    "django.contrib.sessions",
    "django.contrib.messages",
    "django.contrib.staticfiles",
    "django.contrib.humanize",
    "django_htmx",
    "ninja",  # serves the API docs assets itself instead of from a CDN
    "django_tasks_db",
    "allauth",
    "allauth.account",
    "allauth.mfa",
    "coworklib.core",
    "coworklib.accounts",
    "coworklib.organizations",
    "coworklib.api",
    "coworklib.web",
    "coworklib.workspaces",
    "coworklib.planning",
    "coworklib.community",
    "coworklib.notifications",
    "coworklib.privacy",
]

MIDDLEWARE = [
    # First, so that whatever answers (whitenoise included) carries the header.
    "coworklib.core.headers.PermissionsPolicyMiddleware",
    "django.middleware.security.SecurityMiddleware",
    "whitenoise.middleware.WhiteNoiseMiddleware",
    "django.middleware.csp.ContentSecurityPolicyMiddleware",
    "django.contrib.sessions.middleware.SessionMiddleware",
    "django.middleware.locale.LocaleMiddleware",
    "django.middleware.common.CommonMiddleware",
    # HEAD answered as GET and the JSON error shape for 404/405 on API paths (after the locale: translated).
    "coworklib.api.middleware.ApiMethodMiddleware",
    # Before CsrfViewMiddleware, whose process_view reads the whole body (request.POST).
    "coworklib.core.request_limits.RequestBodyLimitMiddleware",
    "django.middleware.csrf.CsrfViewMiddleware",
    "django.contrib.auth.middleware.AuthenticationMiddleware",
    "coworklib.accounts.middleware.UserPreferencesMiddleware",
    "django.contrib.messages.middleware.MessageMiddleware",
    "django.middleware.clickjacking.XFrameOptionsMiddleware",
    "django_htmx.middleware.HtmxMiddleware",
    "allauth.account.middleware.AccountMiddleware",
    # After authentication: sends people who have not accepted the current terms to accept them.
    "coworklib.privacy.middleware.TermsAcceptanceMiddleware",
]

ROOT_URLCONF = "config.urls"
WSGI_APPLICATION = "config.wsgi.application"

TEMPLATES = [
    {
        "BACKEND": "django.template.backends.django.DjangoTemplates",
        "DIRS": [BASE_DIR / "templates"],
        "APP_DIRS": True,
        "OPTIONS": {
            "context_processors": [
                "django.template.context_processors.request",
                "django.template.context_processors.csp",
                "django.contrib.auth.context_processors.auth",
                "django.contrib.messages.context_processors.messages",
                "coworklib.organizations.context_processors.current_organization",
                "coworklib.privacy.context_processors.cookie_consent",
            ],
        },
    },
]

# --- Database -----------------------------------------------------------------
_database_url = envstr("DATABASE_URL")
if not _database_url:
    # The embedded default keeps its SQLite file in the data folder: make sure it exists.
    DATA_DIR.mkdir(parents=True, exist_ok=True)
DATABASES = {
    "default": parse_database_url(_database_url) if _database_url else sqlite_database(DATA_DIR / "coworklib.sqlite3")
}
if TESTING and not _database_url:
    # A file, not SQLite's shared in-memory database: the browser tests' live
    # server answers from other threads, each with its own connection, as in production.
    DATABASES["default"]["TEST"] = {"NAME": str(DATA_DIR / "test.sqlite3")}
DEFAULT_AUTO_FIELD = "django.db.models.BigAutoField"

# --- Cache (rate limits and login throttling live here) -------------------------
# Several processes (gunicorn workers, db_worker) must see the same counters, so
# the default is the database cache rather than per-process local memory; Redis
# when REDIS_URL is set. See docs/decisions/0001-shared-cache.md.
_redis_url = envstr("REDIS_URL")
if _redis_url:
    CACHES = {"default": {"BACKEND": "django.core.cache.backends.redis.RedisCache", "LOCATION": _redis_url}}
else:
    CACHES = {"default": {"BACKEND": "django.core.cache.backends.db.DatabaseCache", "LOCATION": "coworklib_cache"}}

# --- Background tasks ------------------------------------------------------------
TASKS = {"default": {"BACKEND": "django_tasks_db.DatabaseBackend"}}

# --- Authentication --------------------------------------------------------------
AUTH_USER_MODEL = "accounts.User"
AUTHENTICATION_BACKENDS = [
    "django.contrib.auth.backends.ModelBackend",
    "allauth.account.auth_backends.AuthenticationBackend",
]
PASSWORD_HASHERS = [
    "django.contrib.auth.hashers.Argon2PasswordHasher",
    "django.contrib.auth.hashers.PBKDF2PasswordHasher",
    "django.contrib.auth.hashers.PBKDF2SHA1PasswordHasher",
    "django.contrib.auth.hashers.ScryptPasswordHasher",
]
AUTH_PASSWORD_VALIDATORS = [
    {"NAME": "django.contrib.auth.password_validation.UserAttributeSimilarityValidator"},
    {"NAME": "django.contrib.auth.password_validation.MinimumLengthValidator", "OPTIONS": {"min_length": 8}},
    {"NAME": "django.contrib.auth.password_validation.CommonPasswordValidator"},
    {"NAME": "django.contrib.auth.password_validation.NumericPasswordValidator"},
]
LOGIN_URL = "account_login"
LOGIN_REDIRECT_URL = "web:dashboard"
LOGOUT_REDIRECT_URL = "web:home"

ACCOUNT_LOGIN_METHODS = {"email"}
ACCOUNT_SIGNUP_FIELDS = ["email*", "password1*", "password2*"]
ACCOUNT_USER_MODEL_USERNAME_FIELD = None
ACCOUNT_EMAIL_VERIFICATION = "mandatory"
ACCOUNT_UNIQUE_EMAIL = True
ACCOUNT_LOGIN_ON_EMAIL_CONFIRMATION = True
ACCOUNT_CONFIRM_EMAIL_ON_GET = False
ACCOUNT_EMAIL_SUBJECT_PREFIX = "[Coworklib] "
ACCOUNT_DEFAULT_HTTP_PROTOCOL = "https" if envbool("HTTPS", False) else "http"
ACCOUNT_ADAPTER = "coworklib.accounts.adapter.AccountAdapter"
ACCOUNT_FORMS = {"login": "coworklib.accounts.forms.LoginForm", "signup": "coworklib.accounts.forms.SignupForm"}
ACCOUNT_LOGOUT_ON_PASSWORD_CHANGE = False
ACCOUNT_REAUTHENTICATION_REQUIRED = True
ACCOUNT_CHANGE_EMAIL = True
ACCOUNT_PRESERVE_USERNAME_CASING = False
ACCOUNT_SESSION_REMEMBER = None
ACCOUNT_PASSWORD_INPUT_RENDER_VALUE = False
# Login throttling with a 429 is ours (coworklib.accounts.throttling); allauth's
# own limit answers 200 with a form error, so it only backs ours up.
ACCOUNT_RATE_LIMITS = {
    "login_failed": "20/5m/ip,10/5m/key",
    "signup": "20/m/ip",
    "confirm_email": "1/3m/key",
    "reset_password": "20/m/ip,5/m/key",
}
LOGIN_THROTTLE_MAX_FAILURES = envint("LOGIN_THROTTLE_MAX_FAILURES", 5)
LOGIN_THROTTLE_WINDOW_SECONDS = envint("LOGIN_THROTTLE_WINDOW_SECONDS", 15 * 60)
# Failed logins for this many different addresses from one IP within the window
# refuse that IP (password spraying); see coworklib/accounts/throttling.py.
LOGIN_THROTTLE_MAX_EMAILS_PER_IP = envint("LOGIN_THROTTLE_MAX_EMAILS_PER_IP", 50)
# Behind BEHIND_PROXY's reverse proxy the client IP is the last X-Forwarded-For
# hop; without it every client would share the proxy's address (and its limit).
ALLAUTH_TRUSTED_PROXY_COUNT = envint("TRUSTED_PROXY_COUNT", 1 if envbool("BEHIND_PROXY", False) else 0)

MFA_SUPPORTED_TYPES = ["totp", "recovery_codes", "webauthn"]
MFA_PASSKEY_LOGIN_ENABLED = True
MFA_TOTP_ISSUER = "Coworklib"
MFA_WEBAUTHN_ALLOW_INSECURE_ORIGIN = DEBUG or TESTING

# --- Legal documents and privacy -------------------------------------------------
# Raising TERMS_VERSION asks every signed-in user to accept the new terms before going on.
TERMS_VERSION = envstr("TERMS_VERSION", "2026-12-05")
PRIVACY_POLICY_VERSION = envstr("PRIVACY_POLICY_VERSION", "2026-12-05")
# Raising it shows the cookie banner again to everyone who already chose.
COOKIE_POLICY_VERSION = envstr("COOKIE_POLICY_VERSION", "2026-12-05")
# The operator of this deployment, named in the legal notice and the privacy policy.
OPERATOR_NAME = envstr("OPERATOR_NAME", "Coworklib")
OPERATOR_ADDRESS = envstr("OPERATOR_ADDRESS", "")
OPERATOR_REGISTRATION = envstr("OPERATOR_REGISTRATION", "")
OPERATOR_EMAIL = envstr("OPERATOR_EMAIL", "privacy@coworklib.test")
OPERATOR_PHONE = envstr("OPERATOR_PHONE", "")
OPERATOR_PUBLICATION_DIRECTOR = envstr("OPERATOR_PUBLICATION_DIRECTOR", "")
OPERATOR_DPO_EMAIL = envstr("OPERATOR_DPO_EMAIL", OPERATOR_EMAIL)
OPERATOR_HOST = envstr("OPERATOR_HOST", "")
# Who reads what the contact form receives.
CONTACT_EMAILS = envlist("CONTACT_EMAILS", [OPERATOR_EMAIL])
# Google Analytics 4 measurement id ("G-…"): empty, no audience measurement at all;
# set, its script is added only for people who consented to audience measurement.
AUDIENCE_MEASUREMENT_ID = envstr("AUDIENCE_MEASUREMENT_ID", "")
DATA_EXPORT_VALIDITY_HOURS = envint("DATA_EXPORT_VALIDITY_HOURS", 72)
# Accounts nobody used for this long are warned by e-mail, then anonymised (privacy.retention).
INACTIVITY_WARNING_DAYS = envint("INACTIVITY_WARNING_DAYS", 700)  # 23 months
INACTIVITY_ERASURE_DAYS = envint("INACTIVITY_ERASURE_DAYS", 730)  # 24 months
# Login history (date, IP address, browser) older than this is deleted, account active or not.
LOGIN_HISTORY_DAYS = envint("LOGIN_HISTORY_DAYS", 365)

# --- Internationalisation -------------------------------------------------------
LANGUAGE_CODE = "fr"
LANGUAGES = [("fr", _("Français")), ("en", _("English"))]
LOCALE_PATHS = [BASE_DIR / "locale"]
TIME_ZONE = "Europe/Paris"
USE_I18N = True
USE_TZ = True
LANGUAGE_COOKIE_HTTPONLY = True
LANGUAGE_COOKIE_SAMESITE = "Lax"

# --- Static and media files ---------------------------------------------------------
STATIC_URL = "/static/"
STATIC_ROOT = BASE_DIR / "staticfiles"
STATICFILES_DIRS = [BASE_DIR / "static"]
MEDIA_URL = "/media/"
MEDIA_ROOT = Path(envstr("MEDIA_ROOT", str(DATA_DIR / "media"))).resolve()
STORAGES = {
    "default": {"BACKEND": "django.core.files.storage.FileSystemStorage"},
    "staticfiles": {
        "BACKEND": (
            "django.contrib.staticfiles.storage.StaticFilesStorage"
            if TESTING
            else "whitenoise.storage.CompressedManifestStaticFilesStorage"
        )
    },
}
WHITENOISE_USE_FINDERS = DEBUG or TESTING
DATA_UPLOAD_MAX_MEMORY_SIZE = 2 * 1024 * 1024
FILE_UPLOAD_MAX_MEMORY_SIZE = 2 * 1024 * 1024
PROFILE_PHOTO_MAX_BYTES = envint("PROFILE_PHOTO_MAX_BYTES", 5 * 1024 * 1024)
# Larger images are refused before decoding (decompression bombs); 40 MP keeps
# every phone photo and bounds the memory one upload can take (~160 MB RGBA).
PROFILE_PHOTO_MAX_PIXELS = envint("PROFILE_PHOTO_MAX_PIXELS", 40_000_000)

# --- E-mail ------------------------------------------------------------------------
DEFAULT_FROM_EMAIL = envstr("DEFAULT_FROM_EMAIL", "Coworklib <noreply@coworklib.test>")
SERVER_EMAIL = envstr("SERVER_EMAIL", DEFAULT_FROM_EMAIL)
_email_url = envstr("EMAIL_URL", "console:" if not TESTING else "locmem:")
MAILERS = {"default": parse_email_url(_email_url)}

# --- Security ------------------------------------------------------------------------
# HTTPS=true turns on everything a deployment behind TLS needs; each part can
# still be set on its own. ./run serves plain HTTP on localhost, so it is off there.
HTTPS = envbool("HTTPS", False)
SECURE_SSL_REDIRECT = envbool("SECURE_SSL_REDIRECT", HTTPS)
SECURE_PROXY_SSL_HEADER = ("HTTP_X_FORWARDED_PROTO", "https") if envbool("BEHIND_PROXY", False) else None
SECURE_HSTS_SECONDS = envint("SECURE_HSTS_SECONDS", 31536000 if HTTPS else 0)
SECURE_HSTS_INCLUDE_SUBDOMAINS = SECURE_HSTS_SECONDS > 0
SECURE_HSTS_PRELOAD = SECURE_HSTS_SECONDS > 0
SESSION_COOKIE_SECURE = envbool("SECURE_COOKIES", HTTPS)
CSRF_COOKIE_SECURE = SESSION_COOKIE_SECURE
SESSION_COOKIE_HTTPONLY = True
SESSION_COOKIE_SAMESITE = "Lax"
SESSION_COOKIE_AGE = envint("SESSION_COOKIE_AGE", 14 * 24 * 3600)
CSRF_COOKIE_HTTPONLY = False  # htmx reads it from the page, not the cookie, but the API docs need it
SECURE_CONTENT_TYPE_NOSNIFF = True
SECURE_REFERRER_POLICY = "same-origin"
SECURE_CROSS_ORIGIN_OPENER_POLICY = "same-origin"
X_FRAME_OPTIONS = "DENY"
# Browser features a page may use (Permissions-Policy header, coworklib.core.headers). The camera
# stays possible for our own pages (scanning a check-in QR code); passkeys (publickey-credentials-*)
# and copying to the clipboard keep their default, our own origin; everything else is off.
PERMISSIONS_POLICY: dict[str, list[str]] = {
    "camera": ["self"],
    "accelerometer": [],
    "autoplay": [],
    "bluetooth": [],
    "browsing-topics": [],
    "display-capture": [],
    "encrypted-media": [],
    "gamepad": [],
    "geolocation": [],
    "gyroscope": [],
    "hid": [],
    "idle-detection": [],
    "local-fonts": [],
    "magnetometer": [],
    "microphone": [],
    "midi": [],
    "otp-credentials": [],
    "payment": [],
    "picture-in-picture": [],
    "screen-wake-lock": [],
    "serial": [],
    "usb": [],
    "xr-spatial-tracking": [],
}

from typing import cast  # noqa: E402

from django.utils.csp import CSP  # noqa: E402

# Only our own origin: no CDN, no third party (see UI.md). The interactive API
# docs page is the one exception with inline script, served with its own policy.
SECURE_CSP = {
    "default-src": [CSP.SELF],
    "script-src": [CSP.SELF, CSP.NONCE],
    "style-src": [CSP.SELF, CSP.NONCE],
    "img-src": [CSP.SELF, "data:", "blob:"],
    "font-src": [CSP.SELF],
    "connect-src": [CSP.SELF],
    "frame-ancestors": [CSP.NONE],
    "form-action": [CSP.SELF],
    "base-uri": [CSP.SELF],
    "object-src": [CSP.NONE],
}
# Google Analytics' hosts, allowed only when a measurement id is configured. Allowing is not
# loading: its tag is added only to the pages of people who accepted audience measurement
# (privacy/_measurement.html), so nothing is requested from them before consent.
_MEASUREMENT_HOSTS = [
    "https://*.google-analytics.com",
    "https://*.analytics.google.com",
    "https://www.googletagmanager.com",
]
AUDIENCE_MEASUREMENT_CSP: dict[str, list[str]] = {
    "script-src": ["https://www.googletagmanager.com"],
    "connect-src": _MEASUREMENT_HOSTS,
    "img-src": _MEASUREMENT_HOSTS,
}
if AUDIENCE_MEASUREMENT_ID:
    SECURE_CSP = {
        directive: [*cast("list[str]", sources), *AUDIENCE_MEASUREMENT_CSP.get(directive, [])]
        for directive, sources in SECURE_CSP.items()
    }

# --- Logging -----------------------------------------------------------------------
LOGGING = {
    "version": 1,
    "disable_existing_loggers": False,
    "formatters": {"plain": {"format": "%(asctime)s %(levelname)s %(name)s %(message)s"}},
    # A refused request (4xx) is one line without traceback; see coworklib/core/request_log.py.
    "filters": {"one_line_refusals": {"()": "coworklib.core.request_log.OneLineRefusals"}},
    "handlers": {"console": {"class": "logging.StreamHandler", "formatter": "plain", "filters": ["one_line_refusals"]}},
    "root": {"handlers": ["console"], "level": envstr("LOG_LEVEL", "INFO")},
    "loggers": {
        "django.request": {"filters": ["one_line_refusals"]},
        "django.security.DisallowedHost": {"level": "ERROR"},
    },
}

ADMINS = [("Coworklib", email) for email in envlist("ADMIN_EMAILS", [])]

# --- Organizations ------------------------------------------------------------------
INVITATION_VALIDITY_DAYS = envint("INVITATION_VALIDITY_DAYS", 14)

# --- API ------------------------------------------------------------------------------
NINJA_PAGINATION_PER_PAGE = 20
NINJA_PAGINATION_MAX_LIMIT = 100
