"""Public routes of the follow-up flow: only the host place's short form."""

from django.urls import path

from .views import HostAnswerView

app_name = "followups"

urlpatterns = [path("host/<str:token>/", HostAnswerView.as_view(), name="host")]
