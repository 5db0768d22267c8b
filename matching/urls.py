"""Public routes of the matching app: only the host place's answer page."""

from django.urls import path

from .views import RespondView

app_name = "matching"

urlpatterns = [path("respond/<str:token>/", RespondView.as_view(), name="respond")]
