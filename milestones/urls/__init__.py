"""The pages every user starts from (included at the site root): home, a unit's assessment, the overview."""

from django.urls import path

from milestones.views import dashboard, home, units

urlpatterns = [
    path("", home.home, name="home"),
    path("assessments/<int:pk>/", units.assessment_detail, name="assessment-detail"),
    path("overview/", dashboard.overview, name="overview"),
]
