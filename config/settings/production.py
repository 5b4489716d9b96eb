"""Production settings: refuse to start without a secret key, allowed hosts and a real database URL."""

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
