"""The Jinja2 environment: NHS.UK frontend macros plus a few project helpers."""

from __future__ import annotations

import datetime as dt
from decimal import ROUND_HALF_UP, Decimal

from django.conf import settings
from django.contrib.messages import get_messages
from django.templatetags.static import static
from django.urls import reverse
from jinja2 import ChainableUndefined, Environment


def url(name: str, *args, **kwargs) -> str:
    return reverse(name, args=args or None, kwargs=kwargs or None)


def one_decimal(value) -> str:
    """Scores are shown to one decimal, rounding halves up as published figures are."""
    if value is None:
        return "–"
    return str(Decimal(str(value)).quantize(Decimal("0.1"), rounding=ROUND_HALF_UP))


def long_date(value: dt.date | None) -> str:
    if value is None:
        return ""
    return f"{value.day} {value:%B %Y}"


def environment(**options) -> Environment:
    # Chainable: the NHS.UK macros read optional nested params (params.search.action).
    options["undefined"] = ChainableUndefined
    env = Environment(**options)
    env.globals.update(
        static=static,
        url=url,
        get_messages=get_messages,
        is_demo=settings.IS_DEMO,
        today=dt.date.today,
    )
    env.filters.update(one_decimal=one_decimal, long_date=long_date)
    return env
