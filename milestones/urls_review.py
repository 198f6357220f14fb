"""The management-systems group's pages, mounted at /review/."""

from django.urls import path

from milestones import views_review

urlpatterns = [
    path("", views_review.queue, name="review-queue"),
    path("steps/<int:pk>/", views_review.review_step, name="review-step"),
    path("steps/<int:pk>/decide/", views_review.decide_step, name="review-decide"),
    path("steps/<int:pk>/reopen/", views_review.reopen_step, name="review-reopen"),
    path("assessments/<int:pk>/extension/", views_review.request_extension, name="extension-request"),
    path("extensions/", views_review.extension_list, name="extension-list"),
    path("extensions/<int:pk>/", views_review.extension_detail, name="extension-detail"),
    path("audit/", views_review.audit_log, name="audit-log"),
    path("scores.csv", views_review.export_csv, name="scores-csv"),
    path("scores.xlsx", views_review.export_xlsx, name="scores-xlsx"),
]
