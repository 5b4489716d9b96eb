"""Production settings: refuse to start without a secret key, allowed hosts and a real database URL."""

import re

from django.core.exceptions import ImproperlyConfigured

from .base import *  # noqa: F403
from .base import database_from_env, env


def _required(name: str) -> str:
    value = str(env.str(name, default="")).strip()
    if not value:
        raise ImproperlyConfigured(
            f"{name} must be set for production (ต้องกำหนดค่า {name} ในสภาพแวดล้อมก่อนเริ่มระบบ)"
        )
    return value


DEBUG = False
SECRET_KEY = _required("SECRET_KEY")
if len(SECRET_KEY) < 50 or len(set(SECRET_KEY)) < 5:
    raise ImproperlyConfigured(
        "SECRET_KEY must be at least 50 characters of random text (SECRET_KEY ต้องยาวอย่างน้อย ๕๐ ตัวอักษร)"
    )
ALLOWED_HOSTS = [host.strip() for host in _required("ALLOWED_HOSTS").split(",") if host.strip()]
DATABASES = {"default": database_from_env(_required("DATABASE_URL"))}


def _base_url() -> str:
    """The site's address that e-mails and webhooks link to (issue 13: links went to 127.0.0.1:8000 whatever
    the site's address). MEMOFLOW_BASE_URL when set; otherwise https:// and the first allowed host, unless that
    is a wildcard, which names no address."""
    value = str(env.str("MEMOFLOW_BASE_URL", default="")).strip()
    if not value:
        host = ALLOWED_HOSTS[0].lstrip(".")
        if not host or "*" in host:
            raise ImproperlyConfigured(
                "MEMOFLOW_BASE_URL must be set when the first of ALLOWED_HOSTS is a wildcard "
                "(ต้องกำหนด MEMOFLOW_BASE_URL เป็นที่อยู่ของระบบ เช่น https://memo.example.go.th)"
            )
        value = f"https://{host}"
    if not re.fullmatch(r"https?://[^/\s?#]+(/[^\s?#]*)?", value):
        raise ImproperlyConfigured(
            "MEMOFLOW_BASE_URL must be the site's http(s) address, e.g. https://memo.example.go.th "
            "(MEMOFLOW_BASE_URL ต้องเป็นที่อยู่ http(s) ของระบบ)"
        )
    return value.rstrip("/")


MEMOFLOW_BASE_URL = _base_url()

SECURE_PROXY_SSL_HEADER = ("HTTP_X_FORWARDED_PROTO", "https")
SECURE_SSL_REDIRECT = env.bool("SECURE_SSL_REDIRECT", default=True)
SECURE_HSTS_SECONDS = env.int("SECURE_HSTS_SECONDS", default=31536000)
SECURE_HSTS_INCLUDE_SUBDOMAINS = env.bool("SECURE_HSTS_INCLUDE_SUBDOMAINS", default=True)
SECURE_HSTS_PRELOAD = env.bool("SECURE_HSTS_PRELOAD", default=True)
SECURE_CONTENT_TYPE_NOSNIFF = True
SESSION_COOKIE_SECURE = True
CSRF_COOKIE_SECURE = True
SESSION_COOKIE_HTTPONLY = True
X_FRAME_OPTIONS = "DENY"

# Static files (docs/deployment.md#static-files): keep only the hashed copies that pages link to
# ({% static %} always names those), which halves the files that `collectstatic` compresses and stores.
WHITENOISE_KEEP_ONLY_HASHED_FILES = True
