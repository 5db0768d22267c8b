"""/volunteers/… views; the section's index and opportunity pages themselves are Wagtail pages.

Their first path segments are in ``models.pages.RESERVED_SLUGS`` so no page can hide them.
"""

from django.urls import path

from . import views

app_name = "volunteers"

urlpatterns = [
    path("register/", views.register, name="register"),
    path("register/thanks/", views.register_done, name="register_done"),
    path("link/", views.link_request, name="link_request"),
    path("link/sent/", views.link_sent, name="link_sent"),
    path("link/<str:token>/", views.link_manage, name="link_manage"),
    # The token right after "link/", where the access log's redaction looks for it.
    path("link/<str:token>/email/", views.link_email, name="link_email"),
    path("confirm/<str:token>/", views.link_signup, name="link_signup"),
    path("cancel/<str:token>/", views.link_cancel, name="link_cancel"),
    path("hours/<str:token>/", views.link_hours, name="link_hours"),
    path("shifts/<int:shift_id>/signup/", views.shift_signup, name="shift_signup"),
    path("shifts/<int:shift_id>/code/", views.shift_signup_by_code, name="shift_signup_code"),
    path(
        "shifts/<int:shift_id>/code/cancel/",
        views.shift_cancel_by_code,
        name="shift_cancel_code",
    ),
    path("me/", views.me, name="me"),
    path("me/edit/", views.me_edit, name="me_edit"),
    path("me/hours/", views.me_hours, name="me_hours"),
    path("me/pause/", views.me_pause, name="me_pause"),
    path("me/signups/<int:signup_id>/cancel/", views.me_cancel, name="me_cancel"),
    path("me/calendar/reset/", views.me_calendar_reset, name="me_calendar_reset"),
    path("me/sign-out/", views.me_sign_out, name="me_sign_out"),
    path("me/withdraw/", views.me_withdraw, name="me_withdraw"),
    path("calendar/<slug:token>.ics", views.calendar_feed, name="calendar"),
    path("profiles/", views.profiles, name="profiles"),
]
