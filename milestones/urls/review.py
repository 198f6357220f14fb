"""The management-systems group's pages, mounted at /review/."""

from django.urls import path

from milestones.views import audit, exports, extensions, review

urlpatterns = [
    path("", review.queue, name="review-queue"),
    path("steps/<int:pk>/", review.review_step, name="review-step"),
    path("steps/<int:pk>/decide/", review.decide_step, name="review-decide"),
    path("steps/<int:pk>/reopen/", review.reopen_step, name="review-reopen"),
    path("assessments/<int:pk>/extension/", extensions.request_extension, name="extension-request"),
    path("extensions/", extensions.extension_list, name="extension-list"),
    path("extensions/<int:pk>/", extensions.extension_detail, name="extension-detail"),
    path("audit/", audit.audit_log, name="audit-log"),
    path("scores.csv", exports.export_csv, name="scores-csv"),
    path("scores.xlsx", exports.export_xlsx, name="scores-xlsx"),
]
