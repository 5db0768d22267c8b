"""Admin pages for the second factor, for unlocking logins, and a logout that really ends."""

from __future__ import annotations

from typing import Any

from django.contrib import messages
from django.contrib.auth import get_user_model
from django.contrib.auth.mixins import PermissionRequiredMixin
from django.core.exceptions import PermissionDenied
from django.db.models import Exists, OuterRef
from django.http import HttpRequest, HttpResponse, HttpResponseRedirect
from django.shortcuts import get_object_or_404, redirect, render
from django.urls import reverse
from django.utils.http import url_has_allowed_host_and_scheme
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy
from django.views import View
from django.views.generic import FormView, TemplateView
from django_otp import login as otp_login
from django_otp.plugins.otp_totp.models import TOTPDevice
from wagtail.admin.views.account import LogoutView as WagtailLogoutView
from wagtail.admin.views.generic.base import WagtailAdminTemplateMixin

from . import devices, throttling
from .forms import TokenForm, UnlockForm, VerifyForm
from .models import RESET_2FA_PERMISSION, UNLOCK_PERMISSION


def next_url(request: HttpRequest) -> str:
    """Where to go after the second factor: the page asked for, if it is one of ours."""
    target = request.POST.get("next") or request.GET.get("next") or ""
    if url_has_allowed_host_and_scheme(
        target, allowed_hosts={request.get_host()}, require_https=request.is_secure()
    ):
        return target
    return reverse("wagtailadmin_home")


def _verified_login(request: HttpRequest, device: Any) -> None:
    otp_login(request, device)
    # A new session key for the more trusted session: a key seen before the code is worthless.
    request.session.cycle_key()


class TwoFactorPageMixin(WagtailAdminTemplateMixin):
    header_icon = "key"

    def get_breadcrumbs_items(self) -> list[dict[str, str]]:
        return [*super().get_breadcrumbs_items(), {"url": "", "label": self.get_page_title()}]

    def get_context_data(self, **kwargs: Any) -> dict[str, Any]:
        return {**super().get_context_data(**kwargs), "next": next_url(self.request)}


class SetupView(TwoFactorPageMixin, FormView):
    """Scan the QR code (or type the secret), then confirm with a code before it counts."""

    template_name = "accounts/setup.html"
    page_title = gettext_lazy("Set up two-factor authentication")
    form_class = TokenForm

    def dispatch(self, request: HttpRequest, *args: Any, **kwargs: Any) -> HttpResponse:
        if devices.has_confirmed_device(request.user):
            # Adding a device needs the existing one first, or a password would be enough.
            target = "accounts_2fa_devices" if request.user.is_verified() else "accounts_2fa_verify"
            return redirect(f"{reverse(target)}?next={next_url(request)}")
        self.device = devices.pending_totp_device(request.user)
        return super().dispatch(request, *args, **kwargs)

    def get_form_kwargs(self) -> dict[str, Any]:
        return {**super().get_form_kwargs(), "user": self.request.user}

    def get_context_data(self, **kwargs: Any) -> dict[str, Any]:
        return {
            **super().get_context_data(**kwargs),
            "qr_svg": devices.qr_svg(self.device),
            "secret": devices.secret_text(self.device),
        }

    def form_valid(self, form: TokenForm) -> HttpResponse:
        if not self.device.verify_is_allowed()[0]:
            form.add_error("token", _("Too many wrong codes. Wait a moment, then try again."))
            return self.form_invalid(form)
        codes = devices.totp_confirm(device=self.device, token=form.cleaned_data["token"])
        if codes is None:
            form.add_error("token", _("The code is not correct. Check the time on your phone."))
            return self.form_invalid(form)
        self.device.refresh_from_db()
        _verified_login(self.request, self.device)
        return render_recovery_codes(self.request, codes, first_time=True)


def render_recovery_codes(
    request: HttpRequest, codes: list[str], *, first_time: bool
) -> HttpResponse:
    view = RecoveryCodesPage()
    view.setup(request)
    context = view.get_context_data(codes=codes, first_time=first_time)
    response = render(request, view.template_name, context)
    response["Cache-Control"] = "no-store"  # shown once: not from the back button, not a proxy
    return response


class RecoveryCodesPage(TwoFactorPageMixin, TemplateView):
    template_name = "accounts/recovery_codes.html"
    page_title = gettext_lazy("Recovery codes")


class VerifyView(TwoFactorPageMixin, FormView):
    """After the password: a code from the authenticator app, or one recovery code."""

    template_name = "accounts/verify.html"
    page_title = gettext_lazy("Two-factor authentication")
    form_class = VerifyForm

    def dispatch(self, request: HttpRequest, *args: Any, **kwargs: Any) -> HttpResponse:
        if request.user.is_verified():
            return HttpResponseRedirect(next_url(request))
        if not devices.has_confirmed_device(request.user):
            return redirect(f"{reverse('accounts_2fa_setup')}?next={next_url(request)}")
        return super().dispatch(request, *args, **kwargs)

    def get_form_kwargs(self) -> dict[str, Any]:
        return {**super().get_form_kwargs(), "user": self.request.user}

    def form_valid(self, form: VerifyForm) -> HttpResponse:
        _verified_login(self.request, form.device)
        if form.device.name == devices.RECOVERY_NAME:
            messages.warning(
                self.request,
                _("You used a recovery code; %(left)d are left.")
                % {"left": devices.recovery_codes_left(self.request.user)},
            )
        return HttpResponseRedirect(next_url(self.request))


class DevicesView(TwoFactorPageMixin, TemplateView):
    """One's own second factors, and new recovery codes (the old ones stop working)."""

    template_name = "accounts/devices.html"
    page_title = gettext_lazy("Two-factor authentication")

    def get_context_data(self, **kwargs: Any) -> dict[str, Any]:
        user = self.request.user
        return {
            **super().get_context_data(**kwargs),
            "authenticators": TOTPDevice.objects.filter(user=user, confirmed=True),
            "codes_left": devices.recovery_codes_left(user),
        }

    def post(self, request: HttpRequest) -> HttpResponse:
        if not devices.has_confirmed_device(request.user) or not request.user.is_verified():
            raise PermissionDenied
        codes = devices.recovery_codes_replace(user=request.user)
        return render_recovery_codes(request, codes, first_time=False)


def _may_reset(actor: Any, target: Any) -> bool:
    """Superusers reset anyone; the reset permission reaches everyone but superusers."""
    return actor.is_superuser or (actor.has_perm(RESET_2FA_PERMISSION) and not target.is_superuser)


class StaffTwoFactorView(PermissionRequiredMixin, WagtailAdminTemplateMixin, TemplateView):
    """Who has set 2FA up; a reset for someone who lost their phone and their codes."""

    template_name = "accounts/staff_2fa.html"
    page_title = gettext_lazy("Staff two-factor authentication")
    header_icon = "key"

    permission_required = RESET_2FA_PERMISSION  # signed-in staff without it: PermissionDenied

    def get_context_data(self, **kwargs: Any) -> dict[str, Any]:
        confirmed = TOTPDevice.objects.filter(user=OuterRef("pk"), confirmed=True)
        users = (
            get_user_model()
            .objects.filter(is_active=True)
            .annotate(has_2fa=Exists(confirmed))
            .order_by("username")
        )
        actor = self.request.user
        rows = [(user, _may_reset(actor, user)) for user in users]
        return {**super().get_context_data(**kwargs), "rows": rows}

    def post(self, request: HttpRequest) -> HttpResponse:
        target = get_object_or_404(get_user_model(), pk=request.POST.get("user"))
        if not _may_reset(request.user, target):
            raise PermissionDenied
        devices.two_factor_reset(user=target, by=request.user)
        messages.success(
            request,
            _("Two-factor authentication of %(user)s was reset.") % {"user": target.get_username()},
        )
        return redirect("accounts_staff_2fa")


class LockoutsView(PermissionRequiredMixin, WagtailAdminTemplateMixin, TemplateView):
    """Accounts and addresses locked after failed logins, each with an unlock button."""

    template_name = "accounts/lockouts.html"
    page_title = gettext_lazy("Login lockouts")
    header_icon = "lock"

    permission_required = UNLOCK_PERMISSION  # signed-in staff without it: PermissionDenied

    def get_context_data(self, **kwargs: Any) -> dict[str, Any]:
        return {**super().get_context_data(**kwargs), "lockouts": throttling.current_lockouts()}

    def post(self, request: HttpRequest) -> HttpResponse:
        form = UnlockForm(request.POST)
        if not form.is_valid():
            messages.error(request, _("Nothing was unlocked: the request was incomplete."))
            return redirect("accounts_lockouts")
        throttling.unlock(
            kind=form.cleaned_data["kind"], value=form.cleaned_data["value"], by=request.user
        )
        messages.success(request, _("Unlocked %(value)s.") % {"value": form.cleaned_data["value"]})
        return redirect("accounts_lockouts")


class LogoutView(WagtailLogoutView):
    """POST ends the server-side session; GET only offers the button and touches nothing.

    Wagtail's view deletes the cookie even when it refuses a GET with 405, leaving a session
    that anyone holding the old cookie can still use.
    """

    http_method_names = ["get", "post", "options"]

    def dispatch(self, request: HttpRequest, *args: Any, **kwargs: Any) -> HttpResponse:
        if request.method == "POST":
            return super().dispatch(request, *args, **kwargs)
        return View.dispatch(self, request, *args, **kwargs)

    def get(self, request: HttpRequest, *args: Any, **kwargs: Any) -> HttpResponse:
        if not request.user.is_authenticated:
            return redirect("wagtailadmin_login")
        return render(request, "accounts/logout.html", {"page_title": _("Log out")})
