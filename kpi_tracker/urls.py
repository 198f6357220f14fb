from django.contrib import admin
from django.contrib.auth import views as auth_views
from django.urls import include, path

from kpi_tracker.health import healthz
from milestones.views.home import LoginView

# A database outage answers the Thai 503 page, anything else the plain Thai 500 page.
handler500 = "kpi_tracker.middleware.server_error"

admin.site.site_header = "KPI Tracker กรมประมง"
admin.site.site_title = "KPI Tracker"
admin.site.index_title = "จัดการข้อมูลตัวชี้วัด หน่วยงาน และผู้ใช้"

urlpatterns = [
    path("healthz/", healthz, name="healthz"),  # load balancer probe, no login
    path("login/", LoginView.as_view(), name="login"),
    path("logout/", auth_views.LogoutView.as_view(), name="logout"),
    path("i18n/", include("django.conf.urls.i18n")),
    path("admin/", admin.site.urls),
    path("", include("milestones.urls")),
    path("", include("evidence.urls")),  # step pages, uploads, downloads (staff)
    path("review/", include("milestones.urls.review")),  # queue, decisions, dashboard, audit (reviewers)
    path("reports/", include("milestones.urls.reports")),  # PDFs, memo, E-saraban package
    path("documents/", include("milestones.urls.documents")),  # documents built by the background worker
]
