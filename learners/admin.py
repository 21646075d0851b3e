from django import forms
from django.contrib import admin
from django.contrib.auth.admin import UserAdmin as BaseUserAdmin
from django.core.exceptions import PermissionDenied
from django.shortcuts import get_object_or_404
from django.template.response import TemplateResponse
from django.urls import path, reverse
from django.utils.translation import gettext_lazy as _

from .lib.secretbox import seal
from .models import (
    AuditLog,
    IdentityProvider,
    LrsConnection,
    Membership,
    Municipality,
    ScimConfig,
    ScimToken,
    User,
)
from .services.scim import scim_config_set, scim_token_issue, scim_token_revoke
from .services.sso import idp_discover, idp_secret_set


@admin.register(User)
class UserAdmin(BaseUserAdmin):
    ordering = ["email"]
    list_display = ["email", "first_name", "last_name", "is_staff"]
    search_fields = ["email", "first_name", "last_name"]
    fieldsets = (
        (None, {"fields": ("email", "password")}),
        ("Person", {"fields": ("first_name", "last_name")}),
        ("Permissions", {"fields": ("is_active", "is_staff", "is_superuser", "groups")}),
    )
    add_fieldsets = ((None, {"classes": ("wide",), "fields": ("email", "password1", "password2")}),)


class ScimConfigForm(forms.ModelForm):
    class Meta:
        model = ScimConfig
        fields = ["unit_attribute"]


@admin.register(Municipality)
class MunicipalityAdmin(admin.ModelAdmin):
    list_display = ["number", "name", "county_name"]
    search_fields = ["number", "name"]
    change_form_template = "admin/learners/municipality/change_form.html"

    def get_urls(self):
        view = self.admin_site.admin_view(self.scim_token_view)
        return [
            path("<int:pk>/scim-token/", view, name="learners_municipality_scim_token"),
            *super().get_urls(),
        ]

    def scim_token_view(self, request, pk: int):
        """A platform administrator creates, rotates or revokes the municipality's SCIM token.
        A new token is shown in this one response and never again."""
        if not request.user.is_superuser:
            raise PermissionDenied
        municipality = get_object_or_404(Municipality, pk=pk)
        new_token = None
        action = request.POST.get("action") if request.method == "POST" else None
        config = ScimConfig.objects.filter(municipality=municipality).first()
        config_form = ScimConfigForm(
            request.POST if action == "settings" else None, instance=config
        )
        if action == "issue":
            new_token = scim_token_issue(municipality=municipality, actor=request.user)
        elif action == "revoke":
            scim_token_revoke(municipality=municipality, actor=request.user)
        elif action == "settings" and config_form.is_valid():
            scim_config_set(
                municipality=municipality,
                unit_attribute=config_form.cleaned_data["unit_attribute"],
                actor=request.user,
            )
        context = {
            **self.admin_site.each_context(request),
            "title": _("SCIM provisioning for %(name)s") % {"name": municipality.name},
            "municipality": municipality,
            "opts": self.model._meta,
            "token": ScimToken.objects.filter(municipality=municipality).first(),
            "new_token": new_token,
            "config_form": config_form,
            "scim_url": request.build_absolute_uri(reverse("scim:users")).rsplit("/", 1)[0] + "/",
        }
        response = TemplateResponse(request, "admin/learners/municipality/scim_token.html", context)
        response["Cache-Control"] = "no-store"
        return response


@admin.register(Membership)
class MembershipAdmin(admin.ModelAdmin):
    list_display = ["user", "municipality", "org_unit", "is_learner", "is_hr"]
    list_filter = ["is_hr"]
    raw_id_fields = ["user", "org_unit"]
    search_fields = ["user__email"]


@admin.register(AuditLog)
class AuditLogAdmin(admin.ModelAdmin):
    list_display = [
        "created_at",
        "action_label",
        "municipality",
        "actor",
        "target_type",
        "target_id",
    ]

    @admin.display(description=_("action"), ordering="action")
    def action_label(self, obj):
        return obj.action_label

    def has_change_permission(self, request, obj=None):
        return False

    def has_delete_permission(self, request, obj=None):
        return False


class IdentityProviderForm(forms.ModelForm):
    """The client secret is write-only: typed once, stored encrypted, never shown again."""

    issuer = forms.URLField(label=_("issuer"), assume_scheme="https")
    client_secret = forms.CharField(
        label=_("client secret"),
        required=False,
        strip=True,
        widget=forms.PasswordInput(render_value=False, attrs={"autocomplete": "off"}),
        help_text=_("Never shown again. Leave empty to keep the stored secret."),
    )

    class Meta:
        model = IdentityProvider
        fields = [
            "municipality", "kind", "issuer", "client_id", "client_secret",
            "client_secret_env", "email_domains", "unit_claim", "role_claim",
            "hr_role_value", "manager_role_value", "mfa_acr_values", "enabled",
        ]  # fmt: skip

    def clean(self):
        data = super().clean()
        if data.get("issuer") and not self.errors:
            probe = IdentityProvider(issuer=data["issuer"])
            try:
                idp_discover(probe)
            except ValueError as e:
                self.add_error("issuer", str(e))
            else:
                self.instance.authorization_origin = probe.authorization_origin
        has_stored = self.instance.pk and self.instance.client_secret_encrypted
        if not (data.get("client_secret") or data.get("client_secret_env") or has_stored):
            self.add_error("client_secret", _("Give the client secret or an environment variable."))
        return data

    def save(self, commit=True):
        idp = super().save(commit=False)
        if self.cleaned_data.get("client_secret"):
            idp_secret_set(idp, self.cleaned_data["client_secret"])
        if commit:
            idp.save()
        return idp


@admin.register(IdentityProvider)
class IdentityProviderAdmin(admin.ModelAdmin):
    """Platform admins (superusers) only: a provider decides who may sign in as whom."""

    form = IdentityProviderForm
    list_display = ["municipality", "kind", "issuer", "email_domains", "enabled"]
    search_fields = ["municipality__name", "municipality__number"]
    autocomplete_fields = ["municipality"]
    readonly_fields = ["secret_stored", "callback_path", "authorization_origin"]

    @admin.display(description=_("secret stored"), boolean=True)
    def secret_stored(self, obj):
        return obj.has_secret

    @admin.display(description=_("redirect URI path"))
    def callback_path(self, obj):
        return reverse("sso_callback", kwargs={"provider_id": obj.provider_id}) if obj.pk else "-"

    def _platform_admin(self, request):
        return request.user.is_active and request.user.is_superuser

    def has_module_permission(self, request):
        return self._platform_admin(request)

    def has_view_permission(self, request, obj=None):
        return self._platform_admin(request)

    def has_add_permission(self, request):
        return self._platform_admin(request)

    def has_change_permission(self, request, obj=None):
        return self._platform_admin(request)

    def has_delete_permission(self, request, obj=None):
        return self._platform_admin(request)


class LrsConnectionForm(forms.ModelForm):
    endpoint = forms.URLField(
        label=_("LRS endpoint"),
        assume_scheme="https",
        help_text=_(
            "The xAPI base address, e.g. https://lrs.kommune.no/xAPI/ (without statements)."
        ),
    )
    password = forms.CharField(
        label=_("password (Basic auth secret)"),
        widget=forms.PasswordInput(render_value=False),
        required=False,
        help_text=_("Stored encrypted and never shown again. Leave empty to keep the current one."),
    )

    class Meta:
        model = LrsConnection
        fields = ["municipality", "endpoint", "username", "send_email", "active"]

    def save(self, commit=True):
        connection = super().save(commit=False)
        if self.cleaned_data.get("password"):
            connection.password_sealed = seal(self.cleaned_data["password"])
        if commit:
            connection.save()
        return connection


@admin.register(LrsConnection)
class LrsConnectionAdmin(admin.ModelAdmin):
    """Platform admins connect a municipality to its Learning Record Store."""

    form = LrsConnectionForm
    list_display = ["municipality", "endpoint", "active", "last_success_at", "last_error"]
    readonly_fields = ["last_success_at", "last_error", "retry_after"]
    raw_id_fields = ["municipality"]
