from django.urls import path

from milestones.views import reports as views

urlpatterns = [
    path("assessments/<int:pk>/score.pdf", views.unit_report, name="report-unit"),
    path("assessments/<int:pk>/memo/", views.memo_create, name="report-memo-create"),
    path("summary.pdf", views.department_summary, name="report-summary"),
    path("filings/<int:pk>/memo.pdf", views.memo, name="report-memo"),
    path("filings/<int:pk>/package.zip", views.package, name="report-package"),
    path("filings/<int:pk>/esaraban/", views.esaraban_record, name="report-esaraban-record"),
]
