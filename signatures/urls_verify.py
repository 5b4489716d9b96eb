"""The public verification pages, included at /verify/ by config/urls.py (memo PDFs' QR codes point here)."""

from django.urls import path

from signatures import views

urlpatterns = [
    path("", views.verify_page, name="verify"),
    path("ca/", views.verify_ca_page, name="verify-ca"),
]
