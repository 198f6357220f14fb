"""The pages every user starts from (included at the site root): home, a unit's round page and its
indicator pages, the round overview and each indicator's dashboard."""

from django.urls import path

from milestones.views import dashboard, home, rounds, units

urlpatterns = [
    path("", home.home, name="home"),
    path("rounds/<int:year>/units/<int:pk>/", rounds.unit_round_page, name="unit-round"),
    path("assessments/<int:pk>/", units.assessment_detail, name="assessment-detail"),
    path("overview/", rounds.round_overview_page, name="overview"),
    path("indicators/<int:pk>/dashboard/", dashboard.indicator_dashboard, name="indicator-dashboard"),
]
