"""Top-level URLs: the web pages, health, the Django admin, API v1 with its OpenAPI schema."""

from django.conf import settings
from django.conf.urls.static import static
from django.contrib import admin
from django.urls import include, path
from django.utils.translation import gettext_lazy as _
from drf_spectacular.views import SpectacularAPIView, SpectacularSwaggerView

from core.views import healthz
from org.forms import AdminSignInForm

admin.site.site_header = _("memoflow: internal memo administration")
admin.site.site_title = _("memoflow")
admin.site.index_title = _("Administration")
admin.site.login_form = AdminSignInForm  # says when a locked-out account may try again

urlpatterns = [
    # The signatory's web pages: my tasks at the root ("home"), the memo page ("memo-page"), writing, lists.
    path("", include("workflow.urls_web")),
    path("healthz", healthz, name="healthz"),
    path("notifications/", include("notifications.urls")),  # the bell's list, marking read, the settings
    path("pki/", include("signatures.urls")),  # the CA certificate and CRL: public, in every certificate
    path("verify/", include("signatures.urls_verify")),  # public: check a signed PDF (the memo QR code)
    path("admin/", admin.site.urls),
    path("i18n/", include("django.conf.urls.i18n")),
    path("api/v1/", include("config.api_urls")),
    path("api/schema/", SpectacularAPIView.as_view(), name="schema"),
    path("api/docs/", SpectacularSwaggerView.as_view(url_name="schema"), name="api-docs"),
]

if settings.DEBUG:
    urlpatterns += static(settings.MEDIA_URL, document_root=settings.MEDIA_ROOT)
