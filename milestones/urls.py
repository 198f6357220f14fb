from django.urls import path

from milestones import views

urlpatterns = [
    path("", views.home, name="home"),
    path("assessments/<int:pk>/", views.assessment_detail, name="assessment-detail"),
    path("overview/", views.overview, name="overview"),
]
