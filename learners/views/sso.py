"""Sign in with the municipality's own identity provider: pick the municipality (or be routed
by the e-mail domain), prove the old password before linking an account that is not the
municipality's own, choose the unit after the first sign-in."""

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

from learners.forms.sso import LinkPasswordForm, MunicipalityPickForm, UnitPickForm
from learners.models import IdentityProvider, Membership, User
from learners.services.memberships import membership_create
from learners.services.sso import sso_claims_read, sso_form_origins, sso_person_bring
from learners.sso.adapter import PENDING_LINK_KEY, idp_for, refusal_response, unit_step

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
            account = SocialAccount(
                provider=idp.provider_id, uid=pending["uid"], extra_data=pending["extra_data"]
            )
            sociallogin = SocialLogin(account=account)
            sociallogin.state = {"next": pending["next"]}
            data = account.extra_data
            claims = sso_claims_read(
                idp=idp, id_token=data.get("id_token") or {}, userinfo=data.get("userinfo") or {}
            )
            sociallogin.connect(request, user)
            sso_person_bring(idp=idp, claims=claims, user=user)
            unit_step(request, sociallogin, user=user, idp=idp)
            return perform_login(
                request,
                user,
                email_verification=socialaccount_settings.EMAIL_VERIFICATION,
                redirect_url=sociallogin.get_redirect_url(request),
                signal_kwargs={"sociallogin": sociallogin},
            )
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
