from __future__ import annotations

import datetime as dt

from django import forms
from django.contrib.auth.forms import AuthenticationForm
from django.db.models import Q
from django.utils import timezone

from . import throttling
from .models import Role, User


def clock_time(moment: dt.datetime) -> str:
    """'2:45pm on 23 November 2026' in the service's time zone (NHS.UK style)."""
    local = timezone.localtime(moment)
    hour = local.hour % 12 or 12
    suffix = "am" if local.hour < 12 else "pm"
    return f"{hour}:{local.minute:02d}{suffix} on {local.day} {local:%B %Y}"


class SignInForm(AuthenticationForm):
    """Django's sign-in form, throttled per username and per address."""

    error_messages = {
        "invalid_login": "Enter a correct username and password. Both are case-sensitive.",
        "inactive": "This account has been deactivated.",
        "locked": (
            "You have entered incorrect details too many times. You can try again at %(until)s."
        ),
    }

    def __init__(self, request=None, *args, **kwargs) -> None:
        super().__init__(request, *args, **kwargs)
        self.fields["username"].error_messages["required"] = "Enter your username"
        self.fields["password"].error_messages["required"] = "Enter your password"
        self.locked_until: dt.datetime | None = None

    def clean(self):
        username = self.cleaned_data.get("username")
        password = self.cleaned_data.get("password")
        if not username or not password:
            return self.cleaned_data  # the missing field has its own error; not an attempt
        ip = throttling.client_ip(self.request) if self.request is not None else None
        until = throttling.locked_until(username=username, ip=ip)
        if until is not None:
            self.locked_until = until
            # Rounded up to the minute so "try again at" is never too early.
            shown = (until + dt.timedelta(seconds=59)).replace(second=0, microsecond=0)
            raise forms.ValidationError(
                self.error_messages["locked"], code="locked", params={"until": clock_time(shown)}
            )
        try:
            cleaned = super().clean()
        except forms.ValidationError:
            throttling.record_attempt(username=username, ip=ip, succeeded=False)
            raise
        throttling.record_attempt(username=username, ip=ip, succeeded=True)
        return cleaned


class ApiTokenForm(forms.Form):
    name = forms.CharField(
        max_length=100,
        error_messages={
            "required": "Enter a name for the token",
            "max_length": "Token name must be 100 characters or fewer",
        },
    )


class GrantForm(forms.Form):
    """Grant a role in one organisation to an existing account, found by username or email."""

    person = forms.CharField(
        max_length=254, error_messages={"required": "Enter a username or email address"}
    )
    role = forms.ChoiceField(error_messages={"required": "Select a role"})

    def __init__(self, *args, roles: list[Role], **kwargs) -> None:
        super().__init__(*args, **kwargs)
        self.fields["role"].choices = [(r.value, r.label) for r in roles]
        self.fields["role"].error_messages["invalid_choice"] = "Select a role from the list"

    def clean_person(self) -> User:
        value = self.cleaned_data["person"].strip()
        matches = list(
            User.objects.filter(Q(username=value) | Q(email__iexact=value), is_active=True)[:2]
        )
        if len(matches) == 1:
            return matches[0]
        if len(matches) > 1:
            raise forms.ValidationError(
                "More than one account has that email address. Enter the username instead"
            )
        raise forms.ValidationError(
            "No active account has that username or email address. "
            "A national analyst can create the account"
        )


class FindOrganisationForm(forms.Form):
    ods_code = forms.CharField(max_length=32, error_messages={"required": "Enter an ODS code"})
