from django.shortcuts import redirect
from django.urls import reverse
from django.utils.http import urlencode

from . import services


class TermsAcceptanceMiddleware:
    """R9.1: a logged-in user who has not accepted the current terms accepts them first."""

    ALLOWED_PREFIXES = ("/conditions/", "/accounts/", "/static/", "/i18n/", "/healthz")

    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        user = getattr(request, "user", None)
        if (
            user is not None
            and user.is_authenticated
            and not request.path.startswith(self.ALLOWED_PREFIXES)
            and not services.request_has_accepted_current(request)
        ):
            url = reverse("legal:accept")
            if request.method == "GET":
                url += "?" + urlencode({"next": request.get_full_path()})
            return redirect(url)
        return self.get_response(request)
