"""Settings, read from the environment (see README, "Configuration").

The defaults give an embedded trial: SQLite and a SQLite Huey queue under `var/`, emails shown in
the console and in the staff outbox page. Production sets ILMIS_ENV=production, SECRET_KEY,
ALLOWED_HOSTS, DATABASE_URL, REDIS_URL and EMAIL_URL.
"""

import secrets
from pathlib import Path

import environ

PACKAGE_DIR = Path(__file__).resolve().parent
BASE_DIR = PACKAGE_DIR.parent
env = environ.Env()
environ.Env.read_env(BASE_DIR / ".env", overwrite=False)

ILMIS_ENV = env.str("ILMIS_ENV", default="development")
PRODUCTION = ILMIS_ENV == "production"
DEBUG = env.bool("DEBUG", default=not PRODUCTION)

VAR_DIR = Path(env.str("ILMIS_VAR_DIR", default=str(BASE_DIR / "var")))
VAR_DIR.mkdir(parents=True, exist_ok=True)


def _development_secret_key() -> str:
    # A trial install gets its own random key, kept under var/ so sessions survive restarts.
    path = VAR_DIR / "secret_key"
    if not path.exists():
        path.write_text(secrets.token_urlsafe(64))
        path.chmod(0o600)
    return path.read_text().strip()


if PRODUCTION:
    SECRET_KEY = env.str("SECRET_KEY")
else:
    SECRET_KEY = env.str("SECRET_KEY", default="") or _development_secret_key()
ALLOWED_HOSTS = env.list("ALLOWED_HOSTS", default=[] if PRODUCTION else ["127.0.0.1", "localhost"])
CSRF_TRUSTED_ORIGINS = env.list("CSRF_TRUSTED_ORIGINS", default=[])
SITE_URL = env.str("SITE_URL", default="http://127.0.0.1:8000").rstrip("/")

# The organisation running the platform (R1.3): identity is configuration, not code.
ORGANISATION = {
    "name": env.str("ILMIS_ORG_NAME", default="ILMIS"),
    "legal_name": env.str("ILMIS_ORG_LEGAL_NAME", default="ILMIS SAS"),
    "address": env.str("ILMIS_ORG_ADDRESS", default="12 rue de la Formation, 75011 Paris, France"),
    "email": env.str("ILMIS_ORG_EMAIL", default="contact@ilmis.example"),
    "phone": env.str("ILMIS_ORG_PHONE", default="+33 1 23 45 67 89"),
    "siret": env.str("ILMIS_ORG_SIRET", default="73282932000074"),
    "nda": env.str("ILMIS_ORG_NDA", default="11 75 00000 75"),
    "representative": env.str("ILMIS_ORG_REPRESENTATIVE", default="Camille Martin, présidente"),
    "logo": env.str("ILMIS_ORG_LOGO", default="img/logo.svg"),
    "disability_contact": env.str("ILMIS_ORG_DISABILITY_CONTACT", default="handicap@ilmis.example"),
}

INSTALLED_APPS = [
    "django.contrib.admin",
    "django.contrib.auth",
    "django.contrib.contenttypes",
    "django.contrib.sessions",
    "django.contrib.messages",
    "whitenoise.runserver_nostatic",
    "django.contrib.staticfiles",
    "django.contrib.humanize",
    "allauth",
    "allauth.account",
    "allauth.mfa",
    "allauth.usersessions",
    "huey.contrib.djhuey",
    "ilmis.core",
    "ilmis.audit",
    "ilmis.notifications",
    "ilmis.accounts",
    "ilmis.legal",
    "ilmis.catalog",
    "ilmis.enrolment",
    "ilmis.quizzes",
    "ilmis.scorm",
    "ilmis.support",
    "ilmis.maintenance",
    "ilmis.learning",
    "ilmis.exercises",
    "ilmis.classes",
    "ilmis.privacy",
    "ilmis.tracking",
]

MIDDLEWARE = [
    "django.middleware.security.SecurityMiddleware",
    "whitenoise.middleware.WhiteNoiseMiddleware",
    "django.contrib.sessions.middleware.SessionMiddleware",
    "django.middleware.common.CommonMiddleware",
    "django.middleware.csrf.CsrfViewMiddleware",
    "django.contrib.auth.middleware.AuthenticationMiddleware",
    "ilmis.core.middleware.LanguageMiddleware",
    "ilmis.maintenance.middleware.MaintenanceMiddleware",
    "django.contrib.messages.middleware.MessageMiddleware",
    "django.middleware.clickjacking.XFrameOptionsMiddleware",
    "allauth.account.middleware.AccountMiddleware",
    "allauth.usersessions.middleware.UserSessionsMiddleware",
    "ilmis.accounts.middleware.StaffMfaRequiredMiddleware",
    "ilmis.legal.middleware.TermsAcceptanceMiddleware",
]

ROOT_URLCONF = "ilmis.urls"
WSGI_APPLICATION = "ilmis.wsgi.application"

TEMPLATES = [
    {
        "BACKEND": "django.template.backends.django.DjangoTemplates",
        "DIRS": [PACKAGE_DIR / "templates"],
        "APP_DIRS": True,
        "OPTIONS": {
            "context_processors": [
                "django.template.context_processors.request",
                "django.contrib.auth.context_processors.auth",
                "django.contrib.messages.context_processors.messages",
                "django.template.context_processors.i18n",
                "ilmis.core.context_processors.organisation",
                "ilmis.maintenance.context_processors.banners",
            ],
        },
    },
]

# Database: SQLite under var/ by default, PostgreSQL through DATABASE_URL.
DATABASES = {"default": env.db("DATABASE_URL", default=f"sqlite:///{VAR_DIR / 'ilmis.sqlite3'}")}
if DATABASES["default"]["ENGINE"] == "django.db.backends.sqlite3":
    DATABASES["default"]["OPTIONS"] = {
        # IMMEDIATE avoids "database is locked" when the web and the queue write together.
        "transaction_mode": "IMMEDIATE",
        "timeout": 20,
        "init_command": "PRAGMA journal_mode=WAL; PRAGMA synchronous=NORMAL;",
    }
else:
    DATABASES["default"]["CONN_MAX_AGE"] = env.int("CONN_MAX_AGE", default=60)
    DATABASES["default"]["CONN_HEALTH_CHECKS"] = True
DEFAULT_AUTO_FIELD = "django.db.models.BigAutoField"

# Cache (rate limits, sessions at scale): Redis when REDIS_URL is set, the database otherwise so
# that limits hold across the web and queue processes of a single machine.
REDIS_URL = env.str("REDIS_URL", default="")
if REDIS_URL:
    CACHES = {
        "default": {
            "BACKEND": "django.core.cache.backends.redis.RedisCache",
            "LOCATION": REDIS_URL,
            "KEY_PREFIX": env.str("CACHE_KEY_PREFIX", default="ilmis"),
        }
    }
    SESSION_ENGINE = "django.contrib.sessions.backends.cached_db"
else:
    CACHES = {
        "default": {
            "BACKEND": "django.core.cache.backends.db.DatabaseCache",
            "LOCATION": "ilmis_cache",
        }
    }
    SESSION_ENGINE = "django.contrib.sessions.backends.db"

# Background jobs: Huey on SQLite by default, on Redis when REDIS_URL is set.
HUEY = {
    "name": "ilmis",
    "immediate": env.bool("HUEY_IMMEDIATE", default=False),
    "results": False,
    "consumer": {"workers": env.int("HUEY_WORKERS", default=2), "worker_type": "thread"},
}
if REDIS_URL:
    HUEY |= {"huey_class": "huey.RedisHuey", "url": REDIS_URL}
else:
    HUEY |= {"huey_class": "huey.SqliteHuey", "filename": str(VAR_DIR / "huey.sqlite3")}

# Email: every message goes through the outbox (ilmis.notifications); EMAIL_URL picks how the
# outbox delivers (smtp://user:password@host:587/?tls=True, consolemail://, filemail://path).
EMAIL_BACKEND = "ilmis.notifications.backends.OutboxBackend"
_email = env.email_url("EMAIL_URL", default="consolemail://")
OUTBOX_DELIVERY_BACKEND = _email.pop("EMAIL_BACKEND")
for _key, _value in _email.items():
    globals()[_key] = _value
# The staff page listing emails with their links (a trial without SMTP); off in production,
# where it would show other people's reset links.
ILMIS_OUTBOX_PAGE = env.bool("ILMIS_OUTBOX_PAGE", default=not PRODUCTION)
OUTBOX_MAX_ATTEMPTS = env.int("OUTBOX_MAX_ATTEMPTS", default=8)
DEFAULT_FROM_EMAIL = env.str(
    "DEFAULT_FROM_EMAIL", default=f"{ORGANISATION['name']} <{ORGANISATION['email']}>"
)
SERVER_EMAIL = DEFAULT_FROM_EMAIL
STAFF_ALERT_EMAILS = env.list("STAFF_ALERT_EMAILS", default=[ORGANISATION["email"]])

# Accounts (django-allauth): email login, verified by link, no enumeration, rate limits.
AUTH_USER_MODEL = "accounts.User"
AUTHENTICATION_BACKENDS = [
    "django.contrib.auth.backends.ModelBackend",
    "allauth.account.auth_backends.AuthenticationBackend",
]
PASSWORD_HASHERS = [
    "django.contrib.auth.hashers.Argon2PasswordHasher",
    "django.contrib.auth.hashers.PBKDF2PasswordHasher",
]
# R3.0: CNIL deliberation 2022-100 — length and entropy, common and breached passwords, no rotation.
AUTH_PASSWORD_VALIDATORS = [
    {
        "NAME": "django.contrib.auth.password_validation.MinimumLengthValidator",
        "OPTIONS": {"min_length": 12},
    },
    {"NAME": "ilmis.accounts.passwords.EntropyValidator"},
    {"NAME": "django.contrib.auth.password_validation.CommonPasswordValidator"},
    {"NAME": "django.contrib.auth.password_validation.UserAttributeSimilarityValidator"},
]
LOGIN_URL = "account_login"
LOGIN_REDIRECT_URL = "core:dashboard"
ACCOUNT_LOGIN_METHODS = {"email"}
ACCOUNT_SIGNUP_FIELDS = ["email*", "password1*", "password2*"]
ACCOUNT_USER_MODEL_USERNAME_FIELD = None
ACCOUNT_UNIQUE_EMAIL = True
ACCOUNT_EMAIL_VERIFICATION = "mandatory"
ACCOUNT_CONFIRM_EMAIL_ON_GET = False
ACCOUNT_LOGIN_ON_EMAIL_CONFIRMATION = False
ACCOUNT_PREVENT_ENUMERATION = True
ACCOUNT_LOGOUT_ON_PASSWORD_CHANGE = False
ACCOUNT_PASSWORD_RESET_TOKEN_GENERATOR = (
    "allauth.account.forms.EmailAwarePasswordResetTokenGenerator"
)
ACCOUNT_LOGIN_ON_PASSWORD_RESET = False
ACCOUNT_SESSION_REMEMBER = False
PASSWORD_RESET_TIMEOUT = env.int("PASSWORD_RESET_TIMEOUT", default=3 * 24 * 3600)
ACCOUNT_ADAPTER = "ilmis.accounts.adapter.AccountAdapter"
ACCOUNT_FORMS = {
    "signup": "ilmis.accounts.forms.SignupForm",
    "reset_password": "ilmis.accounts.forms.ResetPasswordForm",
}
ACCOUNT_RATE_LIMITS = {
    "login_failed": "10/m/ip,5/5m/key",
    "login": "30/m/ip",
    "signup": "5/h/ip",
    "reset_password": "10/m/ip,3/h/key",
    "reset_password_from_key": "20/m/ip",
    "confirm_email": "1/3m/key",
    "change_password": "5/m/user",
    # Our public forms (sign-up, pre-registration, fraud report): per IP and per email.
    "public_form": "20/h/ip",
    "public_form_email": "3/h/key",
}
ILMIS_POW_BITS = env.int("ILMIS_POW_BITS", default=16)
ACCOUNT_DEFAULT_HTTP_PROTOCOL = "https" if PRODUCTION else "http"
ACCOUNT_EMAIL_SUBJECT_PREFIX = f"[{ORGANISATION['name']}] "
MFA_SUPPORTED_TYPES = ["totp", "recovery_codes"]
MFA_TOTP_ISSUER = ORGANISATION["name"]
USERSESSIONS_TRACK_ACTIVITY = True

# R3.4: one active session per login by default; R5.5: idle sessions end, active ones never do.
ILMIS_MAX_SESSIONS_PER_USER = env.int("ILMIS_MAX_SESSIONS_PER_USER", default=1)
ILMIS_REQUIRE_STAFF_MFA = env.bool("ILMIS_REQUIRE_STAFF_MFA", default=True)
SESSION_COOKIE_AGE = env.int("ILMIS_IDLE_TIMEOUT_SECONDS", default=4 * 3600)
SESSION_SAVE_EVERY_REQUEST = True  # sliding expiry: every request of an active user renews it
SESSION_EXPIRE_AT_BROWSER_CLOSE = True
SESSION_COOKIE_HTTPONLY = True
SESSION_COOKIE_SAMESITE = "Lax"
ILMIS_SHARED_LOGIN_IPS = env.int("ILMIS_SHARED_LOGIN_IPS", default=2)

# Security (R8.1)
X_FRAME_OPTIONS = "DENY"
SECURE_CONTENT_TYPE_NOSNIFF = True
SECURE_REFERRER_POLICY = "same-origin"
SECURE_CROSS_ORIGIN_OPENER_POLICY = "same-origin"
DATA_UPLOAD_MAX_MEMORY_SIZE = 10 * 1024 * 1024
FILE_UPLOAD_MAX_MEMORY_SIZE = 5 * 1024 * 1024
if PRODUCTION:
    SECURE_PROXY_SSL_HEADER = ("HTTP_X_FORWARDED_PROTO", "https")
    SECURE_SSL_REDIRECT = env.bool("SECURE_SSL_REDIRECT", default=True)
    SESSION_COOKIE_SECURE = True
    CSRF_COOKIE_SECURE = True
    SECURE_HSTS_SECONDS = env.int("SECURE_HSTS_SECONDS", default=31536000)
    SECURE_HSTS_INCLUDE_SUBDOMAINS = True
    SECURE_HSTS_PRELOAD = True

# Languages (R9.2): French first, English complete.
LANGUAGE_CODE = "fr"
LANGUAGES = [("fr", "Français"), ("en", "English")]
LOCALE_PATHS = [PACKAGE_DIR / "locale"]
USE_I18N = True
TIME_ZONE = "Europe/Paris"
USE_TZ = True

# Static files (R1.2): hashed names, brotli/gzip, cached for a year by WhiteNoise.
STATIC_URL = "static/"
STATICFILES_DIRS = [PACKAGE_DIR / "static"]
STATIC_ROOT = VAR_DIR / "static"
STATIC_ROOT.mkdir(exist_ok=True)
MEDIA_ROOT = Path(env.str("MEDIA_ROOT", default=str(VAR_DIR / "media")))

STORAGES = {
    "default": {"BACKEND": "django.core.files.storage.FileSystemStorage"},
    "staticfiles": {
        "BACKEND": "whitenoise.storage.CompressedManifestStaticFilesStorage"
        if PRODUCTION or env.bool("ILMIS_COMPRESS_STATIC", default=False)
        else "django.contrib.staticfiles.storage.StaticFilesStorage"
    },
}
# R6.2: after the access check, nginx sends protected files (e.g. "/protected/", an internal
# location aliased to MEDIA_ROOT); empty: Django streams them itself, with Range support.
ILMIS_X_ACCEL_REDIRECT_PREFIX = env.str("ILMIS_X_ACCEL_REDIRECT_PREFIX", default="")
WHITENOISE_MAX_AGE = 31536000 if PRODUCTION else 0

LOGGING = {
    "version": 1,
    "disable_existing_loggers": False,
    "handlers": {"console": {"class": "logging.StreamHandler"}},
    "root": {"handlers": ["console"], "level": env.str("LOG_LEVEL", default="INFO")},
    "loggers": {"django.db.backends": {"level": "WARNING"}},
}
