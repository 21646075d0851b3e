"""Norwegian unless the person chose otherwise."""


class NorwegianByDefaultMiddleware:
    """Endra is a Norwegian service: the browser's language preference is ignored, so
    everyone gets bokmål until they pick English with the language switch (a cookie)."""

    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        request.META.pop("HTTP_ACCEPT_LANGUAGE", None)
        return self.get_response(request)
