"""Public PKI downloads, included at /pki/ by config/urls.py (the URLs are written into every certificate:
never move them)."""

from django.urls import path

from signatures import views

urlpatterns = [
    path("ca.crt", views.ca_certificate, name="pki-ca-certificate"),
    path("crl.der", views.crl, name="pki-crl"),
    path("tsa", views.timestamp_authority, name="pki-tsa"),
]
