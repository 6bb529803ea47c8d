from __future__ import annotations

from django.contrib import admin
from django.http import HttpRequest

from .models import AuditRecord
from .presenters import describe


@admin.register(AuditRecord)
class AuditRecordAdmin(admin.ModelAdmin):
    """Read-only: audit records are written by services and never changed or removed."""

    list_display = ("sequence", "occurred_at", "actor_label", "action", "target", "organisation_id")
    list_filter = ("action", "target_type")
    search_fields = ("=target_id", "actor_label", "action")
    date_hierarchy = "occurred_at"
    ordering = ("-sequence",)
    readonly_fields = ("summary",)
    show_full_result_count = False  # counting millions of rows on every page is slow

    @admin.display(description="Target")
    def target(self, obj: AuditRecord) -> str:
        return f"{obj.target_type} {obj.target_id}"

    @admin.display(description="In words")
    def summary(self, obj: AuditRecord) -> str:
        return describe(obj)

    def has_add_permission(self, request: HttpRequest) -> bool:
        return False

    def has_change_permission(self, request: HttpRequest, obj: AuditRecord | None = None) -> bool:
        return False

    def has_delete_permission(self, request: HttpRequest, obj: AuditRecord | None = None) -> bool:
        return False
