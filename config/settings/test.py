"""Settings for the test suite: the database comes from DATABASE_URL (PostgreSQL or SQLite)."""

from datetime import timedelta

from .base import *  # noqa: F403
from .base import BASE_DIR, env

DEBUG = False
SECRET_KEY = "memoflow-tests"  # noqa: S105 - not a secret: tests only
ALLOWED_HOSTS = ["testserver", "127.0.0.1", "localhost"]
PASSWORD_HASHERS = ["django.contrib.auth.hashers.MD5PasswordHasher"]  # fast hashing; tests only
MEDIA_ROOT = BASE_DIR / "var" / "test-media"
STORAGES = {
    "default": {"BACKEND": "django.core.files.storage.FileSystemStorage"},
    "staticfiles": {"BACKEND": "django.contrib.staticfiles.storage.StaticFilesStorage"},
}
REST_FRAMEWORK = {
    **REST_FRAMEWORK,  # noqa: F405
    "DEFAULT_THROTTLE_RATES": {
        "login": env.str("LOGIN_THROTTLE_RATE", default="1000/min"),
        "verify": "1000/min",
    },
}
# The lockout tests use the real defaults, whatever a .env says; each test's failures roll back with it.
AXES_FAILURE_LIMIT = 5
AXES_COOLOFF_TIME = timedelta(minutes=15)
MEMOFLOW_TRUSTED_PROXIES = 0
REST_FRAMEWORK["NUM_PROXIES"] = 0
MIDDLEWARE = [m for m in MIDDLEWARE if "whitenoise" not in m]  # noqa: F405 - tests serve no static files
MAILERS = {"default": {"BACKEND": "django.core.mail.backends.locmem.EmailBackend"}}
# Cheap key derivation for the tests (production: ~145 ms each); the parameters travel with each key.
MEMOFLOW_SIGNING_KDF = {"algorithm": "argon2id", "memory_cost": 64, "iterations": 1, "lanes": 1}
MEMOFLOW_CA_KEY_PASSPHRASE = "memoflow-tests-ca"  # noqa: S105 - tests only
MEMOFLOW_SEAL_KEY_PASSPHRASE = "memoflow-tests-seal"  # noqa: S105 - tests only
# Off for the suite at large (every submit would render a PDF); the signing tests turn it on
# (workflow/tests/test_pdf_signatures.py).
MEMOFLOW_PDF_SIGNATURES = False
