"""The notification pages (under /notifications/)."""

from django.urls import path

from notifications import views

urlpatterns = [
    path("", views.notification_list, name="notification-list"),
    path("read-all/", views.notification_read_all, name="notification-read-all"),
    path("settings/", views.notification_preferences, name="notification-preferences"),
    path("<int:notification_id>/", views.notification_open, name="notification-open"),
    path("<int:notification_id>/read/", views.notification_read, name="notification-read"),
]
