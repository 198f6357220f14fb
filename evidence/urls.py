"""Unit staff's step pages, uploads and evidence files (included at the site root)."""

from django.urls import path

from evidence import views

urlpatterns = [
    path("assessments/<int:pk>/steps/<int:number>/", views.step_detail, name="step-detail"),
    path("assessments/<int:pk>/steps/<int:number>/save/", views.step_save, name="step-save"),
    path("assessments/<int:pk>/steps/<int:number>/upload/", views.evidence_upload, name="evidence-upload"),
    path("assessments/<int:pk>/steps/<int:number>/submit/", views.step_submit_view, name="step-submit"),
    path("evidence/<int:pk>/download/", views.evidence_download, name="evidence-download"),
    path("evidence/<int:pk>/preview/", views.evidence_preview, name="evidence-preview"),
    path("evidence/<int:pk>/remove/", views.evidence_remove_view, name="evidence-remove"),
]
