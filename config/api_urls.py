"""API v1: every app's endpoints under /api/v1/."""

from django.urls import path

from org import api as org_api

urlpatterns = [
    path("auth/token/", org_api.TokenObtainView.as_view(), name="api-token"),
    path("me/", org_api.MeView.as_view(), name="api-me"),
]
