"""Static files: which installed apps' static files `collectstatic` gathers and the server serves.

viewflow ships 49 MB of static files for its own Material front end (fonts, JavaScript, CSS). memoflow does
not mount that front end (its pages are in core/ and workflow/, and viewflow's 400/403/404/500 templates are
overridden in templates/), so none of it is ever requested. Those files also stopped `collectstatic` under
the production storage: the bundled roboto-fontface CSS names font files the package does not ship, and the
manifest storage refuses a CSS file whose `url()` points at nothing. drf-spectacular-sidecar's ReDoc bundle
is not served either (only Swagger UI is mounted, at /api/docs/). See docs/deployment.md#static-files.
"""

from collections.abc import Iterable
from typing import Any

from django.apps import apps
from django.contrib.staticfiles import finders
from django.contrib.staticfiles.utils import matches_patterns
from django.core.files.storage import Storage

# Installed apps whose `static/` directory is never collected or served.
UNUSED_STATIC_APPS = frozenset({"viewflow"})
# Paths (fnmatch patterns, relative to an app's `static/`) that are never collected or served.
UNUSED_STATIC_PATTERNS = ("drf_spectacular_sidecar/redoc/*",)


class AppDirectoriesFinder(finders.AppDirectoriesFinder):
    """Django's finder over each installed app's `static/`, without the unused apps and paths above."""

    def __init__(self, app_names: Any = None, *args: Any, **kwargs: Any) -> None:
        if app_names is None:
            app_names = [c.name for c in apps.get_app_configs() if c.name not in UNUSED_STATIC_APPS]
        super().__init__(app_names, *args, **kwargs)

    def list(self, ignore_patterns: Iterable[str] | None) -> Iterable[tuple[str, Storage]]:
        return super().list([*(ignore_patterns or []), *UNUSED_STATIC_PATTERNS])

    def find_in_app(self, app: str, path: str) -> str | None:
        if matches_patterns(path, UNUSED_STATIC_PATTERNS):
            return None
        found: str | None = super().find_in_app(app, path)
        return found
