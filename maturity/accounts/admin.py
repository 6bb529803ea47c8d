"""Admin for people and access. Every write to a membership or token goes through the services,
so it is permission-checked and audited like the same change made on the People pages."""

from __future__ import annotations

from typing import Any

from django import forms
from django.contrib import admin, messages
from django.contrib.auth.admin import UserAdmin as DjangoUserAdmin
from django.core.exceptions import ValidationError
from django.db.models import QuerySet
from django.http import HttpRequest

from maturity.audit import services as audit
from maturity.organisations.models import Organisation

from . import services
from .models import ApiToken, LoginAttempt, Membership, OidcIdentity, User

USER_AUDITED_FIELDS = ("username", "first_name", "last_name", "email", "is_active")


class OrganisationByOdsField(forms.ModelChoiceField):
    """Typed as an ODS code (RD1, QOX, E92000001) rather than picked from 20,000 rows."""

    def __init__(self, **kwargs: Any) -> None:
        super().__init__(
            queryset=Organisation.objects.all(),
            to_field_name="ods_code",
            widget=forms.TextInput(attrs={"size": 12, "autocomplete": "off"}),
            help_text="ODS code, for example RD1, QOX, Y58 or E92000001 (England)",
            error_messages={"invalid_choice": "No organisation has that ODS code."},
            **kwargs,
        )

    def to_python(self, value: Any) -> Any:
        return super().to_python(value.strip().upper() if isinstance(value, str) else value)

    def prepare_value(self, value: Any) -> Any:
        if isinstance(value, Organisation):
            return value.ods_code
        return super().prepare_value(value)


class MembershipForm(forms.ModelForm):
    organisation = OrganisationByOdsField()

    class Meta:
        model = Membership
        fields = ("user", "organisation", "role")

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        if self.instance.pk:
            # Disabled fields are cleaned from their initial value: the code, not the row id.
            self.initial["organisation"] = self.instance.organisation.ods_code
            # A membership is never edited: it is revoked and a new one granted.
            for name in ("organisation", "role", "user"):
                if name in self.fields:
                    self.fields[name].disabled = True

    def clean(self) -> dict[str, Any]:
        cleaned = super().clean()
        organisation, role = cleaned.get("organisation"), cleaned.get("role")
        if self.instance.pk is None and organisation is not None and role:
            try:
                services.validate_role_for_organisation(role, organisation)
            except ValidationError as error:
                raise ValidationError(error.message_dict.get("role", error.messages)) from error
            user = cleaned.get("user") or getattr(self.instance, "user", None)
            if (
                user is not None
                and user.pk
                and Membership.objects.active()
                .filter(user=user, organisation=organisation, role=role)
                .exists()
            ):
                raise ValidationError(f"{user} already has this role at {organisation.name}.")
        return cleaned


class MembershipInline(admin.TabularInline):
    model = Membership
    fk_name = "user"
    form = MembershipForm
    fields = ("organisation", "role", "granted_at", "granted_by")
    readonly_fields = ("granted_at", "granted_by")
    extra = 0
    verbose_name = "active role"
    verbose_name_plural = "Active roles (ticking Delete revokes the role; the record is kept)"

    def get_queryset(self, request: HttpRequest) -> QuerySet[Membership]:
        return super().get_queryset(request).active().select_related("organisation", "granted_by")


@admin.register(User)
class UserAdmin(DjangoUserAdmin):
    # Access comes from memberships: Django's staff, superuser, group and permission flags are
    # not offered, so the admin cannot grant power the rest of the service does not know about.
    fieldsets = (
        (None, {"fields": ("username", "password")}),
        ("Personal details", {"fields": ("first_name", "last_name", "email")}),
        ("Status", {"fields": ("is_active", "last_login", "date_joined")}),
    )
    readonly_fields = ("last_login", "date_joined")
    list_display = ("username", "first_name", "last_name", "email", "is_active", "last_login")
    list_filter = ("is_active", "memberships__role")
    search_fields = ("username", "first_name", "last_name", "email")
    inlines = (MembershipInline,)

    def save_model(self, request: HttpRequest, obj: User, form: Any, change: bool) -> None:
        before = None
        if change:
            stored = User.objects.filter(pk=obj.pk).values(*USER_AUDITED_FIELDS).first()
            before = dict(stored) if stored else None
        super().save_model(request, obj, form, change)
        after = {name: getattr(obj, name) for name in USER_AUDITED_FIELDS}
        if before != after:
            # Inside the admin's own transaction (changeform_view is atomic).
            audit.record(
                actor=request.user,
                action="user.changed" if change else "user.created",
                target=obj,
                before=before,
                after=after,
            )

    def save_formset(self, request: HttpRequest, form: Any, formset: Any, change: bool) -> None:
        if formset.model is not Membership:
            super().save_formset(request, form, formset, change)
            return
        formset.save(commit=False)
        for membership in formset.deleted_objects:
            services.membership_revoke(by=request.user, membership=membership)
        for membership in formset.new_objects:
            services.membership_grant(
                by=request.user,
                user=form.instance,
                organisation=membership.organisation,
                role=membership.role,
            )


@admin.register(Membership)
class MembershipAdmin(admin.ModelAdmin):
    form = MembershipForm
    list_display = ("user", "organisation", "role", "granted_at", "granted_by", "revoked_at")
    list_filter = ("role", ("revoked_at", admin.EmptyFieldListFilter))
    search_fields = (
        "user__username",
        "user__email",
        "organisation__ods_code",
        "organisation__name",
    )
    list_select_related = ("user", "organisation", "granted_by")
    autocomplete_fields = ("user",)
    readonly_fields = ("granted_at", "granted_by", "revoked_at", "revoked_by")
    actions = ("revoke_selected",)
    show_full_result_count = False

    def get_fields(self, request: HttpRequest, obj: Membership | None = None) -> list[str]:
        if obj is None:
            return ["user", "organisation", "role"]
        return ["user", "organisation", "role", *self.readonly_fields]

    def has_change_permission(self, request: HttpRequest, obj: Membership | None = None) -> bool:
        # Shown read-only: a membership is revoked (action on the list), never edited.
        return False

    def has_delete_permission(self, request: HttpRequest, obj: Membership | None = None) -> bool:
        return False

    def save_model(self, request: HttpRequest, obj: Membership, form: Any, change: bool) -> None:
        granted = services.membership_grant(
            by=request.user, user=obj.user, organisation=obj.organisation, role=obj.role
        )
        # The admin logs and redirects using ``obj``: make it the granted row.
        obj.pk, obj.granted_at, obj.granted_by = granted.pk, granted.granted_at, granted.granted_by
        obj._state.adding = False

    @admin.action(description="Revoke the selected roles")
    def revoke_selected(self, request: HttpRequest, queryset: QuerySet[Membership]) -> None:
        revoked = 0
        for membership in queryset.filter(revoked_at__isnull=True):
            services.membership_revoke(by=request.user, membership=membership)
            revoked += 1
        self.message_user(request, f"Revoked {revoked} role(s).", messages.SUCCESS)


@admin.register(ApiToken)
class ApiTokenAdmin(admin.ModelAdmin):
    """Tokens are created by their owners on the API tokens page; here they are seen and revoked.
    The secret was never stored; its hash is shown read-only."""

    list_display = ("name", "user", "prefix", "created_at", "last_used_at", "revoked_at")
    list_filter = (("revoked_at", admin.EmptyFieldListFilter),)
    search_fields = ("user__username", "name", "=prefix")
    list_select_related = ("user",)
    fields = (
        "user",
        "name",
        "prefix",
        "secret_hash",
        "created_at",
        "last_used_at",
        "revoked_at",
        "revoked_by",
    )
    readonly_fields = fields
    actions = ("revoke_selected",)

    def has_add_permission(self, request: HttpRequest) -> bool:
        return False

    def has_change_permission(self, request: HttpRequest, obj: ApiToken | None = None) -> bool:
        return False

    def has_delete_permission(self, request: HttpRequest, obj: ApiToken | None = None) -> bool:
        return False

    @admin.action(description="Revoke the selected tokens")
    def revoke_selected(self, request: HttpRequest, queryset: QuerySet[ApiToken]) -> None:
        revoked = 0
        for token in queryset.filter(revoked_at__isnull=True):
            services.api_token_revoke(by=request.user, token=token)
            revoked += 1
        self.message_user(request, f"Revoked {revoked} token(s).", messages.SUCCESS)


@admin.register(LoginAttempt)
class LoginAttemptAdmin(admin.ModelAdmin):
    list_display = ("attempted_at", "username", "ip_address", "succeeded")
    list_filter = ("succeeded",)
    search_fields = ("=username", "=ip_address")
    date_hierarchy = "attempted_at"
    show_full_result_count = False

    def has_add_permission(self, request: HttpRequest) -> bool:
        return False

    def has_change_permission(self, request: HttpRequest, obj: LoginAttempt | None = None) -> bool:
        return False

    def has_delete_permission(self, request: HttpRequest, obj: LoginAttempt | None = None) -> bool:
        return False


@admin.register(OidcIdentity)
class OidcIdentityAdmin(admin.ModelAdmin):
    """Read-only: identities are created at sign-in or linked with `maturity link-oidc`, both
    audited."""

    list_display = ("user", "issuer", "subject", "created_at")
    search_fields = ("=subject", "user__username")
    list_select_related = ("user",)

    def has_add_permission(self, request: HttpRequest) -> bool:
        return False

    def has_change_permission(self, request: HttpRequest, obj: OidcIdentity | None = None) -> bool:
        return False

    def has_delete_permission(self, request: HttpRequest, obj: OidcIdentity | None = None) -> bool:
        return False
