from __future__ import annotations

from typing import Any

from django.contrib.auth.backends import ModelBackend

from .permissions import is_national_analyst

_CACHE_ATTRIBUTE = "_is_national_analyst_cached"


class MembershipBackend(ModelBackend):
    """Username and password as Django checks them. Django's model permissions (used only by
    the admin) follow roles: an active national analyst has them all; nobody else has any
    beyond what Django's own tables grant, which the admin no longer lets anyone edit."""

    def _is_analyst(self, user_obj: Any) -> bool:
        if not user_obj.is_active or user_obj.is_anonymous:
            return False
        cached = getattr(user_obj, _CACHE_ATTRIBUTE, None)
        if cached is None:
            cached = is_national_analyst(user_obj)
            setattr(user_obj, _CACHE_ATTRIBUTE, cached)
        return cached

    def has_perm(self, user_obj: Any, perm: str, obj: Any = None) -> bool:
        return self._is_analyst(user_obj) or super().has_perm(user_obj, perm, obj)

    def has_module_perms(self, user_obj: Any, app_label: str) -> bool:
        return self._is_analyst(user_obj) or super().has_module_perms(user_obj, app_label)
