"""API v1: every app's endpoints under /api/v1/."""

from django.urls import path

from notifications import api as notifications_api
from org import api as org_api
from signatures import api as signatures_api
from workflow import api as workflow_api
from workflow import audit_api

urlpatterns = [
    path("auth/token/", org_api.TokenView.as_view(), name="api-token"),
    path("me/", org_api.MeView.as_view(), name="api-me"),
    path("me/signature-image/", signatures_api.MySignatureImageView.as_view(), name="api-my-signature-image"),
    path("verify/", signatures_api.VerifyView.as_view(), name="api-verify"),
    path("memos/", workflow_api.MemoListView.as_view(), name="api-memos"),
    path("memos/<uuid:memo_id>/", workflow_api.MemoDetailView.as_view(), name="api-memo"),
    path("memos/<uuid:memo_id>/route/", workflow_api.MemoRouteView.as_view(), name="api-memo-route"),
    path(
        "memos/<uuid:memo_id>/attachments/", workflow_api.MemoAttachmentView.as_view(), name="api-memo-attach"
    ),
    path("memos/<uuid:memo_id>/pdf/", workflow_api.MemoPdfView.as_view(), name="api-memo-pdf"),
    path(
        "memos/<uuid:memo_id>/signed-pdf/",
        workflow_api.MemoSignedPdfView.as_view(),
        name="api-memo-signed-pdf",
    ),
    path(
        "memos/<uuid:memo_id>/certificate/",
        workflow_api.MemoCertificateView.as_view(),
        name="api-memo-certificate",
    ),
    path("memos/<uuid:memo_id>/history/", workflow_api.MemoHistoryView.as_view(), name="api-memo-history"),
    path(
        "memos/<uuid:memo_id>/attachments/<uuid:enclosure_id>/",
        workflow_api.MemoAttachmentFileView.as_view(),
        name="api-memo-attachment",
    ),
    path("memos/<uuid:memo_id>/submit/", workflow_api.MemoSubmitView.as_view(), name="api-memo-submit"),
    path("memos/<uuid:memo_id>/withdraw/", workflow_api.MemoWithdrawView.as_view(), name="api-memo-withdraw"),
    path("notifications/", notifications_api.NotificationListView.as_view(), name="api-notifications"),
    path(
        "notifications/unread-count/",
        notifications_api.UnreadCountView.as_view(),
        name="api-notifications-unread-count",
    ),
    path(
        "notifications/read-all/",
        notifications_api.NotificationReadAllView.as_view(),
        name="api-notifications-read-all",
    ),
    path(
        "notifications/<int:notification_id>/read/",
        notifications_api.NotificationReadView.as_view(),
        name="api-notification-read",
    ),
    path("audit/", audit_api.AuditListView.as_view(), name="api-audit"),
    path("search/", workflow_api.SearchView.as_view(), name="api-search"),
    path("tasks/", workflow_api.TaskListView.as_view(), name="api-tasks"),
    path("tasks/<uuid:step_id>/approve/", workflow_api.TaskApproveView.as_view(), name="api-task-approve"),
    path("tasks/<uuid:step_id>/return/", workflow_api.TaskReturnView.as_view(), name="api-task-return"),
    path("tasks/<uuid:step_id>/reject/", workflow_api.TaskRejectView.as_view(), name="api-task-reject"),
    path("tasks/<uuid:step_id>/reassign/", workflow_api.TaskReassignView.as_view(), name="api-task-reassign"),
]
