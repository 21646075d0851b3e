from django import forms
from django.contrib import admin
from django.contrib.auth.admin import UserAdmin as BaseUserAdmin
from django.utils.translation import gettext_lazy as _

from .lib.secretbox import seal
from .models import AuditLog, LrsConnection, Membership, Municipality, User


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


@admin.register(Membership)
class MembershipAdmin(admin.ModelAdmin):
    list_display = ["user", "municipality", "org_unit", "is_learner", "is_hr"]
    list_filter = ["is_hr"]
    raw_id_fields = ["user", "org_unit"]
    search_fields = ["user__email"]


@admin.register(AuditLog)
class AuditLogAdmin(admin.ModelAdmin):
    list_display = ["created_at", "action", "municipality", "actor", "target_type", "target_id"]

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
