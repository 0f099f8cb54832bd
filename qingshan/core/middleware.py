from .actor import acting_as


class ActorMiddleware:
    """Makes the request's user the actor of every data change it causes."""

    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        user = getattr(request, "user", None)
        addr = request.META.get("REMOTE_ADDR")
        if user is not None and user.is_authenticated:
            with acting_as(user, remote_addr=addr):
                return self.get_response(request)
        with acting_as(name="anonymous", remote_addr=addr):
            return self.get_response(request)


class LanguageMiddleware:
    """Activate the language the user picked (language cookie), else ``settings.LANGUAGE_CODE``.

    Unlike Django's LocaleMiddleware this ignores the browser's Accept-Language
    header: the deployment's language (Simplified Chinese by default) is the
    default for everyone, and English is one click away in the header.
    """

    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        from django.conf import settings
        from django.utils import translation

        code = request.COOKIES.get(settings.LANGUAGE_COOKIE_NAME)
        if not code or not translation.check_for_language(code):
            code = settings.LANGUAGE_CODE
        translation.activate(code)
        request.LANGUAGE_CODE = translation.get_language()
        response = self.get_response(request)
        response.headers.setdefault("Content-Language", request.LANGUAGE_CODE)
        return response
