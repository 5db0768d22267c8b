"""Public and volunteer-only views under /volunteers/ (the index and opportunities are pages).

Nothing personal is cached (``never_cache``), and links that act (sign up, cancel, confirm
hours) show a confirmation page first: mail scanners that open links must change nothing.
"""

import time

from django.contrib import messages
from django.core.exceptions import ValidationError
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.urls import reverse
from django.utils.translation import gettext as _
from django.views.decorators.cache import never_cache
from django.views.decorators.http import require_POST
from wagtail.models import Site

from resources.contact import listing_contact
from tsunagu.conditional import conditional
from tsunagu.island import island_for_request
from tsunagu.sites import town_page
from tsunagu.throttle import TOO_MANY_REQUESTS, allow_submission, throttled_message

from . import ical, selectors, services
from .availability import mask_to_slots, slot_label
from .emails import default_town
from .forms import (
    DetailsForm,
    EmailForm,
    HoursConfirmForm,
    HoursForm,
    ProfileForm,
    RegistrationForm,
    SignupCodeForm,
)
from .links import (
    LinkError,
    Purpose,
    link_read,
    link_sign_in,
    session_end,
    session_start,
    session_volunteer,
)
from .models import EmailChange, HoursEntry, Shift, SignUp, Volunteer, VolunteerIndexPage


def _link_error(request: HttpRequest, error: LinkError) -> HttpResponse:
    return render(
        request,
        "volunteers/link_invalid.html",
        {"expired": error.expired, "used": error.used, "form": EmailForm()},
        status=403,
    )


def _first_error(error: ValidationError) -> str:
    return error.messages[0]


# --- Registration and links


# The registration just made in this browser, for its optional second step (and, for someone
# without email, its sign-up code, shown once).
REGISTRATION_SESSION_KEY = "volunteers.registration"
REGISTRATION_STEP_TWO_SECONDS = 30 * 60


@never_cache
def register(request: HttpRequest) -> HttpResponse:
    """Step one: the eight fields needed to take part; then step two (optional details)."""
    form = RegistrationForm(request.POST or None, island=island_for_request(request))
    if request.method == "POST" and form.is_valid():
        if not allow_submission(request, scope="volunteer-register"):
            form.add_error(None, throttled_message())
            return render(
                request, "volunteers/register.html", {"form": form}, status=TOO_MANY_REQUESTS
            )
        data = dict(form.cleaned_data)
        registration = services.volunteer_registration(consent=data.pop("consent"), fields=data)
        # A known address gets the same next page but no way to write to that record.
        request.session[REGISTRATION_SESSION_KEY] = {
            "volunteer": registration.volunteer.pk if registration.is_new else None,
            "code": registration.code,
            "until": int(time.time()) + REGISTRATION_STEP_TWO_SECONDS,
        }
        return redirect("volunteers:register_done")
    return render(request, "volunteers/register.html", {"form": form})


def _registration_in_progress(request: HttpRequest) -> Volunteer | None:
    """The new volunteer this browser registered a few minutes ago, if any."""
    state = request.session.get(REGISTRATION_SESSION_KEY) or {}
    if not state.get("volunteer") or state.get("until", 0) < time.time():
        return None
    return Volunteer.objects.filter(pk=state["volunteer"], status=Volunteer.Status.PENDING).first()


@never_cache
def register_done(request: HttpRequest) -> HttpResponse:
    """Step two: thanks, the sign-up code (once, for someone without email), and the optional
    details. Saving them ends the step; skipping it changes nothing."""
    state = request.session.get(REGISTRATION_SESSION_KEY) or {}
    volunteer = _registration_in_progress(request)
    form = DetailsForm(request.POST or None, instance=volunteer or Volunteer())
    if request.method == "POST":
        if form.is_valid():
            if volunteer is not None:
                form.save()
            request.session.pop(REGISTRATION_SESSION_KEY, None)
            return render(request, "volunteers/register_details_saved.html")
        return render(request, "volunteers/register_done.html", {"form": form})
    code = state.pop("code", "")
    if code:
        request.session[REGISTRATION_SESSION_KEY] = state  # shown once
    context = {"form": form, "code": code, "without_email": bool(code)}
    return render(request, "volunteers/register_done.html", context)


@never_cache
def link_request(request: HttpRequest) -> HttpResponse:
    """ "Send me my link again": the answer never says whether the address is registered."""
    form = EmailForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        services.volunteer_send_link(email=form.cleaned_data["email"])
        return redirect("volunteers:link_sent")
    return render(request, "volunteers/link_request.html", {"form": form})


def link_sent(request: HttpRequest) -> HttpResponse:
    return render(request, "volunteers/link_sent.html")


@never_cache
def link_manage(request: HttpRequest, token: str) -> HttpResponse:
    """A button first: the link works once, and a mail scanner opening it must not use it up."""
    try:
        if request.method != "POST":
            claim = link_read(purpose=Purpose.MANAGE, token=token)
            return render(request, "volunteers/link_manage.html", {"volunteer": claim.volunteer})
        volunteer = link_sign_in(token=token)
    except LinkError as error:
        return _link_error(request, error)
    session_start(request, volunteer)
    return redirect("volunteers:me")


@never_cache
def link_email(request: HttpRequest, token: str) -> HttpResponse:
    """The new address confirms it is theirs; opening the link alone changes nothing."""
    try:
        claim = link_read(purpose=Purpose.EMAIL, token=token)
    except LinkError as error:
        return _link_error(request, error)
    change = EmailChange.objects.filter(
        pk=claim.object_id, volunteer=claim.volunteer, confirmed_at__isnull=True
    ).first()
    if change is None:
        return _link_error(request, LinkError(used=True))
    context = {"change": change, "volunteer": claim.volunteer}
    if request.method == "POST":
        try:
            volunteer = services.volunteer_email_change_confirm(
                volunteer=claim.volunteer, change_id=change.pk
            )
        except ValidationError as error:
            context["error"] = _first_error(error)
        else:
            session_start(request, volunteer)
            messages.success(request, _("Your new email address is now in use."))
            return redirect("volunteers:me")
    return render(request, "volunteers/link_email.html", context)


@never_cache
def link_signup(request: HttpRequest, token: str) -> HttpResponse:
    try:
        claim = link_read(purpose=Purpose.SIGNUP, token=token)
    except LinkError as error:
        return _link_error(request, error)
    shift = get_object_or_404(Shift.objects.select_related("opportunity"), pk=claim.object_id)
    context = {"shift": shift, "volunteer": claim.volunteer}
    if request.method == "POST":
        try:
            context["signup"] = services.signup_create(volunteer=claim.volunteer, shift=shift)
        except ValidationError as error:
            context["error"] = _first_error(error)
    return render(request, "volunteers/link_signup.html", context)


@never_cache
def link_cancel(request: HttpRequest, token: str) -> HttpResponse:
    try:
        claim = link_read(purpose=Purpose.CANCEL, token=token)
    except LinkError as error:
        return _link_error(request, error)
    signup = get_object_or_404(
        SignUp.objects.select_related("shift__opportunity"),
        pk=claim.object_id,
        volunteer=claim.volunteer,
    )
    context = {"signup": signup, "shift": signup.shift}
    if request.method == "POST":
        try:
            context["signup"] = services.signup_cancel(signup=signup)
            context["cancelled"] = True
        except ValidationError as error:
            context["error"] = _first_error(error)
    return render(request, "volunteers/link_cancel.html", context)


@never_cache
def link_hours(request: HttpRequest, token: str) -> HttpResponse:
    try:
        claim = link_read(purpose=Purpose.HOURS, token=token)
    except LinkError as error:
        return _link_error(request, error)
    entry = get_object_or_404(
        HoursEntry.objects.select_related("signup__shift__opportunity"),
        pk=claim.object_id,
        volunteer=claim.volunteer,
    )
    form = HoursConfirmForm(request.POST or None, entry=entry)
    context = {"entry": entry, "form": form}
    if request.method == "POST" and form.is_valid():
        try:
            services.hours_confirm(entry=entry, hours=form.cleaned_data["hours"])
            context["confirmed"] = True
        except ValidationError as error:
            context["error"] = _first_error(error)
    return render(request, "volunteers/link_hours.html", context)


# --- Signing up from the public page


@never_cache
def shift_signup(request: HttpRequest, shift_id: int) -> HttpResponse:
    """Sign up: directly when this browser has "my page" open, otherwise by an emailed link."""
    shift = _public_shift(shift_id)
    volunteer = session_volunteer(request)
    if request.method == "POST" and volunteer is not None:
        try:
            services.signup_create(volunteer=volunteer, shift=shift)
            messages.success(request, _("You have signed up. Thank you!"))
        except ValidationError as error:
            messages.error(request, _first_error(error))
        return redirect("volunteers:me")
    form = EmailForm(request.POST or None)
    status = 200
    if request.method == "POST" and form.is_valid():
        if allow_submission(request, scope="shift-signup", target=shift.pk):
            services.signup_request(shift=shift, email=form.cleaned_data["email"])
            return render(request, "volunteers/signup_sent.html", {"shift": shift})
        form.add_error(None, throttled_message())
        status = TOO_MANY_REQUESTS
    context = {"shift": shift, "form": form, "code_form": SignupCodeForm()}
    return render(request, "volunteers/signup_request.html", context, status=status)


def _public_shift(shift_id: int) -> Shift:
    return get_object_or_404(
        Shift.objects.select_related("opportunity"), pk=shift_id, opportunity__live=True
    )


def _by_code(
    request: HttpRequest, shift_id: int, *, act, template: str, done_template: str
) -> HttpResponse:
    """A telephone number and sign-up code instead of an email link (sign up, or cancel)."""
    shift = _public_shift(shift_id)
    form = SignupCodeForm(request.POST or None)
    status = 200
    if request.method == "POST" and form.is_valid():
        # Per address, whatever the shift: guessing codes must not get more tries by moving on.
        if not allow_submission(request, scope="signup-code"):
            form.add_error(None, throttled_message())
            status = TOO_MANY_REQUESTS
        else:
            try:
                signup = act(shift=shift, **form.cleaned_data)
            except ValidationError as error:
                form.add_error(None, _first_error(error))
                status = 400
            else:
                context = {"shift": shift, "signup": signup, **_confirmation(shift)}
                return render(request, done_template, context)
    context = {"shift": shift, "form": form, **_confirmation(shift)}
    return render(request, template, context, status=status)


def _confirmation(shift: Shift) -> dict:
    """What to bring, and whom to call to cancel: the opportunity's contact, else the town's."""
    town = default_town()
    return {"contact": listing_contact(shift.opportunity, town), "town": town}


@never_cache
def shift_signup_by_code(request: HttpRequest, shift_id: int) -> HttpResponse:
    return _by_code(
        request,
        shift_id,
        act=services.signup_by_code,
        template="volunteers/code_signup.html",
        done_template="volunteers/code_signup_done.html",
    )


@never_cache
def shift_cancel_by_code(request: HttpRequest, shift_id: int) -> HttpResponse:
    return _by_code(
        request,
        shift_id,
        act=services.signup_cancel_by_code,
        template="volunteers/code_cancel.html",
        done_template="volunteers/code_cancel_done.html",
    )


# --- My page (a session started by a manage link)


def _volunteer_or_redirect(request: HttpRequest) -> Volunteer | HttpResponse:
    volunteer = session_volunteer(request)
    if volunteer is None:
        messages.info(request, _("Please open the link we email you to see your page."))
        return redirect("volunteers:link_request")
    return volunteer


@never_cache
def me(request: HttpRequest) -> HttpResponse:
    volunteer = _volunteer_or_redirect(request)
    if isinstance(volunteer, HttpResponse):
        return volunteer
    calendar_path = reverse("volunteers:calendar", args=[volunteer.calendar_token])
    context = {
        "volunteer": volunteer,
        "skills": volunteer.skills.all(),
        "availability": [slot_label(slot) for slot in mask_to_slots(volunteer.availability)],
        "signups": selectors.volunteer_signups(volunteer=volunteer),
        "hours": selectors.volunteer_hours(volunteer=volunteer),
        "calendar_url": request.build_absolute_uri(calendar_path),
        # The volunteers wanted in the town whose site this is, not the install's first town.
        "index_page": town_page(VolunteerIndexPage, Site.find_for_request(request)),
    }
    return render(request, "volunteers/me.html", context)


@never_cache
def me_edit(request: HttpRequest) -> HttpResponse:
    volunteer = _volunteer_or_redirect(request)
    if isinstance(volunteer, HttpResponse):
        return volunteer
    form = ProfileForm(request.POST or None, instance=volunteer, island=island_for_request(request))
    if request.method == "POST" and form.is_valid():
        form.save()
        messages.success(request, _("Your details have been saved."))
        if new_email := form.requested_email:
            try:
                services.volunteer_email_change_request(volunteer=volunteer, email=new_email)
            except ValidationError as error:
                messages.error(request, _first_error(error))
            else:
                messages.info(
                    request,
                    _(
                        "We have sent a link to %(email)s. Your email address changes when you "
                        "open it; until then we keep writing to the address you had."
                    )
                    % {"email": new_email},
                )
        return redirect("volunteers:me")
    return render(request, "volunteers/me_edit.html", {"form": form, "volunteer": volunteer})


@never_cache
def me_hours(request: HttpRequest) -> HttpResponse:
    volunteer = _volunteer_or_redirect(request)
    if isinstance(volunteer, HttpResponse):
        return volunteer
    form = HoursForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        services.hours_log(volunteer=volunteer, **form.cleaned_data)
        messages.success(request, _("Your hours have been sent for approval."))
        return redirect("volunteers:me")
    return render(request, "volunteers/me_hours.html", {"form": form})


@never_cache
@require_POST
def me_pause(request: HttpRequest) -> HttpResponse:
    volunteer = _volunteer_or_redirect(request)
    if isinstance(volunteer, HttpResponse):
        return volunteer
    paused = request.POST.get("paused") == "1"
    try:
        services.volunteer_set_paused(volunteer=volunteer, paused=paused)
        messages.success(
            request, _("Your registration is paused.") if paused else _("Welcome back!")
        )
    except ValidationError as error:
        messages.error(request, _first_error(error))
    return redirect("volunteers:me")


@never_cache
@require_POST
def me_cancel(request: HttpRequest, signup_id: int) -> HttpResponse:
    volunteer = _volunteer_or_redirect(request)
    if isinstance(volunteer, HttpResponse):
        return volunteer
    signup = get_object_or_404(SignUp, pk=signup_id, volunteer=volunteer)
    try:
        services.signup_cancel(signup=signup)
        messages.success(request, _("Your sign-up has been cancelled."))
    except ValidationError as error:
        messages.error(request, _first_error(error))
    return redirect("volunteers:me")


@never_cache
@require_POST
def me_calendar_reset(request: HttpRequest) -> HttpResponse:
    volunteer = _volunteer_or_redirect(request)
    if isinstance(volunteer, HttpResponse):
        return volunteer
    services.volunteer_reset_calendar(volunteer=volunteer)
    messages.success(request, _("Your calendar has a new address. The old one no longer works."))
    return redirect("volunteers:me")


@never_cache
@require_POST
def me_sign_out(request: HttpRequest) -> HttpResponse:
    """End this session; with ``revoke`` also invalidate every link emailed so far."""
    volunteer = session_volunteer(request)
    if volunteer is not None and request.POST.get("revoke") == "1":
        services.volunteer_revoke_links(volunteer=volunteer)
    session_end(request)
    return render(request, "volunteers/signed_out.html")


@never_cache
def me_withdraw(request: HttpRequest) -> HttpResponse:
    volunteer = _volunteer_or_redirect(request)
    if isinstance(volunteer, HttpResponse):
        return volunteer
    if request.method == "POST":
        services.volunteer_withdraw(volunteer=volunteer)
        session_end(request)
        return render(request, "volunteers/withdrawn.html")
    return render(request, "volunteers/me_withdraw.html", {"volunteer": volunteer})


# --- Calendar feed and public profiles


@never_cache
def calendar_feed(request: HttpRequest, token: str) -> HttpResponse:
    volunteer = (
        Volunteer.objects.exclude(status=Volunteer.Status.WITHDRAWN)
        .filter(calendar_token=token)
        .first()
    )
    if volunteer is None:
        raise Http404
    body, last_changed = ical.volunteer_calendar(volunteer=volunteer)
    response = HttpResponse(body, content_type="text/calendar; charset=utf-8")
    response["Content-Disposition"] = 'inline; filename="volunteering.ics"'
    return conditional(request, response, last_modified=last_changed)


def profiles(request: HttpRequest) -> HttpResponse:
    return render(request, "volunteers/profiles.html", {"profiles": selectors.public_profiles()})
