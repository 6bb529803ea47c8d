"""Admin for cycles (national analysts only: the admin site admits nobody else). Opening a cycle,
changing its scope, closing it and releasing provisional results go through the services, so
they are permission-checked and audited as anywhere else. Returns are shown read-only."""

from __future__ import annotations

from typing import Any

from django import forms
from django.contrib import admin, messages
from django.core.exceptions import PermissionDenied, ValidationError
from django.db.models import QuerySet
from django.http import HttpRequest

from maturity.accounts.rules import RETURNING_KINDS
from maturity.core.vocab import CareSetting
from maturity.frameworks.models import FrameworkEdition
from maturity.organisations.models import OrganisationKind

from . import services
from .exceptions import AssessmentError
from .models import Cycle, Return

KIND_CHOICES = [(k.value, k.label) for k in OrganisationKind if k.value in RETURNING_KINDS]
SETTING_CHOICES = [(s.value, s.label) for s in CareSetting]
DATE_FIELDS = (
    "opens_on",
    "closes_on",
    "review_closes_on",
    "provisional_release_on",
    "publication_on",
)


class CycleForm(forms.ModelForm):
    scope_organisation_kinds = forms.MultipleChoiceField(
        label="Organisation kinds", choices=KIND_CHOICES, widget=forms.CheckboxSelectMultiple
    )
    scope_care_settings = forms.MultipleChoiceField(
        label="Care settings", choices=SETTING_CHOICES, widget=forms.CheckboxSelectMultiple
    )

    class Meta:
        model = Cycle
        fields = (
            "year",
            "edition",
            "title",
            "is_demonstration",
            *DATE_FIELDS,
            "scope_organisation_kinds",
            "scope_care_settings",
        )

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        if "edition" in self.fields:
            self.fields["edition"].queryset = FrameworkEdition.objects.published().defer("content")
        for name in DATE_FIELDS:
            if name in self.fields:
                self.fields[name].required = True


@admin.register(Cycle)
class CycleAdmin(admin.ModelAdmin):
    form = CycleForm
    list_display = (
        "title",
        "year",
        "edition",
        "status",
        "opens_on",
        "closes_on",
        "is_demonstration",
    )
    list_filter = ("status", "is_demonstration", "year")
    search_fields = ("title",)
    list_select_related = ("edition",)
    actions = ("close_selected", "release_selected")

    def get_readonly_fields(self, request: HttpRequest, obj: Cycle | None = None) -> tuple:
        if obj is None:
            return ()
        # Once open, only the scope changes here (returns are added, withdrawn or restored).
        return ("year", "edition", "title", "is_demonstration", "status", "opened_by", *DATE_FIELDS)

    def get_fields(self, request: HttpRequest, obj: Cycle | None = None) -> list[str]:
        if obj is None:
            return list(CycleForm.Meta.fields)
        return [
            "title",
            "year",
            "edition",
            "is_demonstration",
            "status",
            "opened_by",
            *DATE_FIELDS,
            "scope_organisation_kinds",
            "scope_care_settings",
        ]

    def has_delete_permission(self, request: HttpRequest, obj: Cycle | None = None) -> bool:
        return False

    def save_model(self, request: HttpRequest, obj: Cycle, form: Any, change: bool) -> None:
        data = form.cleaned_data
        try:
            if not change:
                cycle = services.cycle_open(
                    by=request.user,
                    year=data["year"],
                    edition_id=data["edition"].edition_id,
                    title=data["title"],
                    organisation_kinds=list(data["scope_organisation_kinds"]),
                    care_settings=list(data["scope_care_settings"]),
                    is_demonstration=data.get("is_demonstration", False),
                    **{name: data[name] for name in DATE_FIELDS},
                )
                # The admin logs and redirects using ``obj``: make it the opened cycle.
                obj.pk, obj.status, obj.opened_by = cycle.pk, cycle.status, cycle.opened_by
                obj._state.adding = False
                self.message_user(
                    request, f"Opened with {cycle.returns.count()} returns.", messages.SUCCESS
                )
            else:
                scope = services.cycle_set_scope(
                    by=request.user,
                    cycle=obj,
                    organisation_kinds=list(data["scope_organisation_kinds"]),
                    care_settings=list(data["scope_care_settings"]),
                )
                self.message_user(
                    request,
                    f"Scope changed: {scope.added} returns added, {scope.withdrawn} withdrawn, "
                    f"{scope.restored} restored.",
                    messages.SUCCESS,
                )
        except (AssessmentError, PermissionDenied) as error:
            raise ValidationError(str(error)) from error

    def changeform_view(self, request: HttpRequest, *args: Any, **kwargs: Any) -> Any:
        try:
            return super().changeform_view(request, *args, **kwargs)
        except ValidationError as error:
            self.message_user(request, " ".join(error.messages), messages.ERROR)
            from django.shortcuts import redirect

            return redirect(request.path)

    @admin.action(description="Close the selected cycles (uncommitted returns become late)")
    def close_selected(self, request: HttpRequest, queryset: QuerySet[Cycle]) -> None:
        for cycle in queryset:
            try:
                late = services.cycle_close(by=request.user, cycle=cycle)
            except AssessmentError as error:
                self.message_user(request, f"{cycle}: {error.message}", messages.ERROR)
            else:
                self.message_user(request, f"{cycle}: closed; {late} returns late.")

    @admin.action(description="Release provisional results of the selected cycles")
    def release_selected(self, request: HttpRequest, queryset: QuerySet[Cycle]) -> None:
        for cycle in queryset:
            try:
                released = services.provisional_release(by=request.user, cycle=cycle)
            except AssessmentError as error:
                self.message_user(request, f"{cycle}: {error.message}", messages.ERROR)
            else:
                self.message_user(request, f"{cycle}: {released} returns released.")


@admin.register(Return)
class ReturnAdmin(admin.ModelAdmin):
    """Read-only: returns change through their pages, the API and the services."""

    list_display = ("organisation", "care_setting", "cycle", "status", "late", "withdrawn_at")
    list_filter = ("status", "late", "care_setting", "cycle")
    search_fields = ("organisation__ods_code", "organisation__name")
    list_select_related = ("organisation", "cycle")
    show_full_result_count = False

    def has_add_permission(self, request: HttpRequest) -> bool:
        return False

    def has_change_permission(self, request: HttpRequest, obj: Return | None = None) -> bool:
        return False

    def has_delete_permission(self, request: HttpRequest, obj: Return | None = None) -> bool:
        return False
