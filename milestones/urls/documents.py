"""Documents the background worker builds, mounted at /documents/."""

from django.urls import path

from milestones.views import documents

urlpatterns = [
    path("<int:pk>/", documents.document_page, name="document"),
    path("<int:pk>/status/", documents.document_status, name="document-status"),
    path("<int:pk>/file/", documents.document_download, name="document-download"),
]
