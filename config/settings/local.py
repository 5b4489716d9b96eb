"""Settings for a developer's machine and `make demo`: debug on, SQLite by default."""

from .base import *  # noqa: F403
from .base import env

DEBUG = env.bool("DEBUG", default=True)
SECRET_KEY = env.str("SECRET_KEY", default="memoflow-local-development-key-not-for-production-use")
ALLOWED_HOSTS = env.list("ALLOWED_HOSTS", default=["127.0.0.1", "localhost", "[::1]"])
STORAGES = {
    "default": {"BACKEND": "django.core.files.storage.FileSystemStorage"},
    "staticfiles": {"BACKEND": "django.contrib.staticfiles.storage.StaticFilesStorage"},
}
MAILERS = {"default": {"BACKEND": "django.core.mail.backends.console.EmailBackend"}}
# A developer's CA and seal (`manage.py signing_init`): fixed, publicly known passphrases, never for production
# (production reads them from the environment, empty by default: signing is then not set up).
MEMOFLOW_CA_KEY_PASSPHRASE = env.str("MEMOFLOW_CA_KEY_PASSPHRASE", default="memoflow-local-ca-not-secret")
MEMOFLOW_SEAL_KEY_PASSPHRASE = env.str(
    "MEMOFLOW_SEAL_KEY_PASSPHRASE", default="memoflow-local-seal-not-secret"
)
# The demo's signatures are timestamped by the organisation's own TSA (docs/signatures.md: production uses an
# independent one).
MEMOFLOW_TSA_URL = env.str("MEMOFLOW_TSA_URL", default="local")
