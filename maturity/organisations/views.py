from django.shortcuts import get_object_or_404, render

from .models import Organisation


def search(request):
    return render(request, "organisations/search.jinja", {"results": []})


def detail(request, ods_code: str):
    organisation = get_object_or_404(Organisation, ods_code=ods_code.upper())
    return render(request, "organisations/detail.jinja", {"organisation": organisation})
