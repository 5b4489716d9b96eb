"""The signatory's web pages (server-rendered); the API lives under /api/v1/."""

from django.urls import path

from signatures import views as signature_views
from workflow import views, views_audit, views_leave, views_register

urlpatterns = [
    path("", views.my_tasks, name="home"),
    path("accounts/login/", views.SignInView.as_view(), name="login"),
    path("accounts/logout/", views.SignOutView.as_view(), name="logout"),
    path("profile/", views.ProfileView.as_view(), name="profile"),
    path("profile/signature-image/", signature_views.signature_image_save, name="signature-image"),
    path("profile/tokens/<int:token_id>/revoke/", views.api_token_revoke, name="api-token-revoke"),
    path("leave/", views_leave.my_leave, name="leave-mine"),
    path("leave/<uuid:leave_id>/cancel/", views_leave.leave_cancel, name="leave-cancel"),
    path("leave/approve/", views_leave.leave_to_approve, name="leave-approve"),
    path("leave/<uuid:leave_id>/approve/", views_leave.leave_approve, name="leave-approve-one"),
    path("leave/<uuid:leave_id>/refuse/", views_leave.leave_refuse, name="leave-refuse"),
    path("memos/", views.memo_list, {"box": "authored"}, name="memo-list-mine"),
    path("memos/done/", views.memo_list, {"box": "done"}, name="memo-list-done"),
    path("memos/all/", views.memo_list, {"box": "all"}, name="memo-list-all"),
    path("memos/new/", views.memo_new, name="memo-new"),
    path("register/", views_register.register_page, name="register"),
    path("register/register.csv", views_register.register_csv, name="register-csv"),
    path("register/register.pdf", views_register.register_pdf_view, name="register-pdf"),
    path("dashboard/", views_register.dashboard_page, name="dashboard"),
    path("memos/<uuid:memo_id>/", views.memo_page, name="memo-page"),
    path("memos/<uuid:memo_id>/pdf-panel/", views.memo_pdf_panel, name="memo-pdf-panel"),
    path("memos/<uuid:memo_id>/edit/", views.memo_edit, name="memo-edit"),
    path("memos/<uuid:memo_id>/route/", views.memo_route, name="memo-route"),
    path("memos/<uuid:memo_id>/enclosures/", views.memo_enclosure_add, name="memo-enclosure-add"),
    path(
        "memos/<uuid:memo_id>/enclosures/<uuid:enclosure_id>/replace/",
        views.memo_enclosure_replace,
        name="memo-enclosure-replace",
    ),
    path(
        "memos/<uuid:memo_id>/enclosures/<uuid:enclosure_id>/remove/",
        views.memo_enclosure_remove,
        name="memo-enclosure-remove",
    ),
    path("memos/<uuid:memo_id>/history/", views_audit.memo_history, name="memo-history"),
    path("memos/<uuid:memo_id>/history.pdf", views_audit.memo_history_pdf, name="memo-history-pdf"),
    path("audit/", views_audit.audit_search_page, name="audit-search"),
    path("audit/export.csv", views_audit.audit_search_csv, name="audit-search-csv"),
]
