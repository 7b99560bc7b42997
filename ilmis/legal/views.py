from django import forms
from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.http import Http404
from django.shortcuts import get_object_or_404, redirect, render
from django.utils.http import url_has_allowed_host_and_scheme
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from . import services
from .models import TermsVersion


class AcceptForm(forms.Form):
    accept = forms.BooleanField(
        label=gettext_lazy("J'ai lu et j'accepte les conditions d'utilisation."),
        error_messages={"required": gettext_lazy("Cochez la case pour accepter les conditions.")},
    )


def terms(request, number=None):
    version = (
        get_object_or_404(TermsVersion, number=number) if number else services.current_version()
    )
    if version is None:
        raise Http404
    return render(
        request,
        "legal/terms.html",
        {
            "version": version,
            "html": services.render(version),
            "versions": TermsVersion.objects.only("number", "published_at"),
        },
    )


@login_required
def accept(request):
    version = services.current_version()
    next_url = request.POST.get("next") or request.GET.get("next") or "/"
    if not url_has_allowed_host_and_scheme(next_url, {request.get_host()}, request.is_secure()):
        next_url = "/"
    if version is None or services.has_accepted_current(request.user):
        return redirect(next_url)
    form = AcceptForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        services.accept(request.user, version, request=request)
        messages.success(
            request,
            _("Merci, vous avez accepté la version %(n)s des conditions.") % {"n": version.number},
        )
        return redirect(next_url)
    return render(
        request,
        "legal/accept.html",
        {
            "version": version,
            "html": services.render(version),
            "form": form,
            "next": next_url,
        },
    )
