from django import forms
from django.contrib import admin
from django.contrib.auth.admin import UserAdmin as BaseUserAdmin
from django.core.exceptions import PermissionDenied
from django.shortcuts import get_object_or_404
from django.template.response import TemplateResponse
from django.urls import path, reverse
from django.utils.translation import gettext_lazy as _

from .lib.secretbox import seal
from .models import AuditLog, LrsConnection, Membership, Municipality, ScimToken, User
from .services.scim import scim_token_issue, scim_token_revoke


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
        if request.method == "POST" and request.POST.get("action") == "issue":
            new_token = scim_token_issue(municipality=municipality, actor=request.user)
        elif request.method == "POST" and request.POST.get("action") == "revoke":
            scim_token_revoke(municipality=municipality, actor=request.user)
        context = {
            **self.admin_site.each_context(request),
            "title": _("SCIM provisioning for %(name)s") % {"name": municipality.name},
            "municipality": municipality,
            "opts": self.model._meta,
            "token": ScimToken.objects.filter(municipality=municipality).first(),
            "new_token": new_token,
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
