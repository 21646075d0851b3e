"""Sign in with the municipality's own identity provider: pick the municipality (or be routed
by the e-mail domain), prove the old password before linking an account that is not the
municipality's own, choose the unit after the first sign-in."""

import hmac
import time
from dataclasses import replace

from allauth.account.adapter import get_adapter as get_account_adapter
from allauth.account.forms import LoginForm
from allauth.account.utils import perform_login
from allauth.socialaccount import app_settings as socialaccount_settings
from allauth.socialaccount.adapter import get_adapter
from allauth.socialaccount.models import SocialAccount, SocialLogin
from allauth.socialaccount.providers.base import AuthProcess
from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.http import Http404
from django.shortcuts import redirect, render
from django.utils.http import url_has_allowed_host_and_scheme
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy
from requests import RequestException

from learners.forms.sso import (
    EmailCodeForm,
    LinkPasswordForm,
    MunicipalityPickForm,
    UnitPickForm,
    WorkEmailForm,
)
from learners.models import IdentityProvider, Membership, User
from learners.services.memberships import membership_create
from learners.services.sso import (
    SSORefused,
    sso_account_resolve,
    sso_claims_read,
    sso_form_origins,
    sso_person_bring,
)
from learners.sso.adapter import (
    PENDING_EMAIL_KEY,
    PENDING_LINK_KEY,
    idp_for,
    refusal_response,
    unit_step,
)
from learners.sso.errors import refusal_message

NO_DOMAIN_MESSAGE = gettext_lazy(
    "No municipality has connected the domain of this address. Choose your municipality, "
    "or sign in with e-mail and password."
)


def _next_url(request) -> str:
    url = request.POST.get("next") or request.GET.get("next") or "/"
    if url_has_allowed_host_and_scheme(url, allowed_hosts={request.get_host()}):
        return url
    return "/"


def _idp_for_email(email: str) -> IdentityProvider | None:
    domain = email.rsplit("@", 1)[-1].lower()
    for idp in IdentityProvider.objects.filter(
        enabled=True, email_domains__icontains=domain
    ).select_related("municipality"):
        if domain in idp.domains():
            return idp
    return None


def sso_start(request):
    """ "Logg inn med kommunen din": the municipality picked, or found from the e-mail's
    domain, and off to its provider."""
    form = MunicipalityPickForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        municipality, email = form.cleaned_data["municipality"], form.cleaned_data["email"]
        if municipality is not None:
            idp = idp_for(f"kommune-{municipality.number}")
            if idp is None:
                return refusal_response(request, "no_provider", municipality, status=404)
        else:
            idp = _idp_for_email(email)
            if idp is None:
                form.add_error("email", NO_DOMAIN_MESSAGE)
        if idp is not None:
            provider = get_adapter(request).get_provider(request, idp.provider_id)
            try:
                return provider.redirect(request, AuthProcess.LOGIN, next_url=_next_url(request))
            except RequestException:
                return refusal_response(request, "unavailable", idp.municipality, status=502)
    response = render(
        request, "learners/sso/start.html", {"form": form, "next": _next_url(request)}
    )
    # The form is sent on (redirected) to the municipality's provider: the page's
    # form-action policy must name the providers' origins, or the browser stops it.
    response._csp_update = {"form-action": sso_form_origins()}
    return response


EMAIL_CODE_TTL = 15 * 60  # seconds
EMAIL_CODE_ATTEMPTS = 5
EMAIL_CODE_SENDS = 3  # codes mailed per sign-in: the step is no way to mail anyone at will


def _pending_email(request):
    pending = request.session.get(PENDING_EMAIL_KEY)
    idp = idp_for(pending["provider_id"]) if pending else None
    if idp is None:
        request.session.pop(PENDING_EMAIL_KEY, None)
        raise Http404
    return pending, idp


def _code_send(request, pending, idp, email: str, claims) -> None:
    """Mail a confirmation code to `email` with allauth's confirmation message and code
    generator; the code waits in the session (nothing is created before it is given)."""
    adapter = get_account_adapter(request)
    code = adapter.generate_email_verification_code()
    pending.update(email=email, code=code, sent_at=int(time.time()), attempts=0)
    request.session[PENDING_EMAIL_KEY] = pending
    someone = User(email=email, first_name=claims.first_name, last_name=claims.last_name)
    adapter.send_mail("account/email/email_confirmation", email, {"code": code, "user": someone})


def _code_right(pending, given: str) -> bool:
    code = pending.get("code") or ""
    fresh = time.time() - pending.get("sent_at", 0) <= EMAIL_CODE_TTL

    def plain(value: str) -> str:  # as typed: any case, with or without the dash
        return "".join(value.split()).replace("-", "").upper()

    return bool(code) and fresh and hmac.compare_digest(plain(code), plain(given))


def sso_email(request):
    """The provider gave no e-mail address (ID-porten knows none): the person gives their
    work address in one of the municipality's domains and types the code mailed to it.
    Only then is the account created, or the municipality's own account linked."""
    pending, idp = _pending_email(request)
    data = pending["extra_data"]
    claims = sso_claims_read(
        idp=idp, id_token=data.get("id_token") or {}, userinfo=data.get("userinfo") or {}
    )
    email_form = WorkEmailForm(request.POST if "email" in request.POST else None)
    code_form = EmailCodeForm(request.POST if "code" in request.POST else None)
    if request.method == "POST" and "email" in request.POST and email_form.is_valid():
        email = email_form.cleaned_data["email"].strip().lower()
        if pending.get("sends", 0) >= EMAIL_CODE_SENDS:
            email_form.add_error(None, _("Too many codes have been sent. Start the sign-in again."))
        elif idp.allows_email(email):
            pending["sends"] = pending.get("sends", 0) + 1
            _code_send(request, pending, idp, email, claims)
            code_form = EmailCodeForm()
        else:
            email_form.add_error("email", refusal_message("domain", idp.municipality))
    elif request.method == "POST" and "code" in request.POST and pending.get("email"):
        if code_form.is_valid() and _code_right(pending, code_form.cleaned_data["code"]):
            request.session.pop(PENDING_EMAIL_KEY, None)
            claims = replace(claims, email=pending["email"], email_verified=True)
            return _sign_in_confirmed(request, pending, idp, claims)
        pending["attempts"] = pending.get("attempts", 0) + 1
        if pending["attempts"] >= EMAIL_CODE_ATTEMPTS:
            pending.pop("code", None)  # too many tries: a new code must be sent
            code_form.add_error(None, _("Too many wrong codes. Send a new code."))
        else:
            code_form.add_error("code", _("The code is not right, or it has expired."))
        request.session[PENDING_EMAIL_KEY] = pending
    return render(
        request,
        "learners/sso/email.html",
        {
            "email_form": email_form,
            "code_form": code_form,
            "sent_to": pending.get("email") if pending.get("code") else None,
            "municipality": idp.municipality,
            "domains": sorted(idp.domains()),
        },
    )


def _sign_in_confirmed(request, pending, idp, claims):
    """The address is confirmed: decide the account as for a provider that gives one."""
    try:
        decision = sso_account_resolve(idp=idp, claims=claims, linked_user=None)
    except SSORefused as e:
        return refusal_response(request, e.reason, idp.municipality)
    if decision.kind == "prove":
        request.session[PENDING_LINK_KEY] = {
            "uid": pending["uid"],
            "extra_data": pending["extra_data"],
            "next": pending["next"],
            "user_id": decision.user.pk,
            "provider_id": idp.provider_id,
        }
        return redirect("sso_link")
    plan = sso_person_bring(idp=idp, claims=claims, user=decision.user)
    user = decision.user or plan.created_user
    return _connect_and_login(request, pending, idp, user)


def _connect_and_login(request, pending, idp, user):
    account = SocialAccount(
        provider=idp.provider_id, uid=pending["uid"], extra_data=pending["extra_data"]
    )
    sociallogin = SocialLogin(account=account)
    sociallogin.state = {"next": pending["next"]}
    sociallogin.connect(request, user)
    unit_step(request, sociallogin, user=user, idp=idp)
    return perform_login(
        request,
        user,
        email_verification=socialaccount_settings.EMAIL_VERIFICATION,
        redirect_url=sociallogin.get_redirect_url(request),
        signal_kwargs={"sociallogin": sociallogin},
    )


def sso_link(request):
    """The account with the provider's e-mail address exists but may not be linked without
    asking: its owner proves the Endra password, then the provider is linked (and, for an
    account that is not the municipality's, an invitation to join goes out)."""
    pending = request.session.get(PENDING_LINK_KEY)
    if not pending:
        raise Http404
    user = User.objects.filter(pk=pending["user_id"]).first()
    idp = idp_for(pending["provider_id"])
    if user is None or idp is None:
        request.session.pop(PENDING_LINK_KEY, None)
        raise Http404
    form = LinkPasswordForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        login_form = LoginForm(
            data={"login": user.email, "password": form.cleaned_data["password"]},
            request=request,
        )
        if login_form.is_valid() and login_form.user == user:
            request.session.pop(PENDING_LINK_KEY, None)
            data = pending["extra_data"]
            claims = sso_claims_read(
                idp=idp, id_token=data.get("id_token") or {}, userinfo=data.get("userinfo") or {}
            )
            sso_person_bring(idp=idp, claims=claims, user=user)
            return _connect_and_login(request, pending, idp, user)
        form.add_error("password", _("The password is not right."))
    return render(
        request,
        "learners/sso/link.html",
        {"form": form, "email": user.email, "municipality": idp.municipality},
    )


@login_required
def sso_unit(request):
    """ "Velg enheten din": the first sign-in gave no unit the municipality knows."""
    membership = (
        Membership.objects.filter(user=request.user, org_unit__isnull=True)
        .select_related("municipality")
        .order_by("created_at")
        .first()
    )
    if membership is None:
        return redirect(_next_url(request))
    form = UnitPickForm(request.POST or None, municipality=membership.municipality)
    if request.method == "POST" and form.is_valid():
        membership_create(
            user=request.user,
            municipality=membership.municipality,
            org_unit=form.cleaned_data["org_unit"],
            actor=request.user,
        )
        messages.success(request, _("Your unit has been saved."))
        return redirect(_next_url(request))
    return render(
        request,
        "learners/sso/unit.html",
        {"form": form, "municipality": membership.municipality, "next": _next_url(request)},
    )
