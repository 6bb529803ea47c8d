from django.shortcuts import render
from django.views.decorators.http import require_safe

from maturity.web import selectors


@require_safe
def home(request):
    return render(request, "web/home.jinja", {"counts": selectors.registry_counts()})


@require_safe
def about(request):
    return render(request, "web/about.jinja", {"sources": selectors.data_sources()})


def page_not_found(request, exception=None):
    return render(request, "web/404.jinja", status=404)


def permission_denied(request, exception=None):
    return render(request, "web/403.jinja", status=403)


def server_error(request):
    return render(request, "web/500.jinja", status=500)
