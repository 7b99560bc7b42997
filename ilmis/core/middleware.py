from django.conf import settings
from django.utils import translation


class LanguageMiddleware:
    """R9.2: French by default, whatever the browser says; English when the person chose it
    (the language switch's cookie, or the language saved in their account)."""

    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        supported = {code for code, _name in settings.LANGUAGES}
        choice = request.COOKIES.get(settings.LANGUAGE_COOKIE_NAME)
        user = getattr(request, "user", None)
        if choice not in supported and user is not None and user.is_authenticated:
            choice = user.language
        language = choice if choice in supported else settings.LANGUAGE_CODE
        translation.activate(language)
        request.LANGUAGE_CODE = language
        response = self.get_response(request)
        response.headers.setdefault("Content-Language", language)
        return response
