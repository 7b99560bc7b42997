from allauth.account.adapter import DefaultAccountAdapter
from django.conf import settings


class AccountAdapter(DefaultAccountAdapter):
    def is_open_for_signup(self, request):
        return getattr(settings, "ILMIS_OPEN_SIGNUP", True)

    def get_client_ip(self, request):
        from ilmis.core.http import client_ip

        return client_ip(request) or "0.0.0.0"  # noqa: S104 - test clients may send none
