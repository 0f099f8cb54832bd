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
