"""Give every request an id: taken from a trusted proxy's X-Request-ID or made here."""

import re
import uuid

from config.logging import request_id

# Only short, plain ids from upstream, so a client cannot inject text into the logs.
ACCEPTED_ID = re.compile(r"^[A-Za-z0-9._-]{8,64}$")


class RequestIdMiddleware:
    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        incoming = request.headers.get("X-Request-ID", "")
        rid = incoming if ACCEPTED_ID.match(incoming) else uuid.uuid4().hex
        # Until the request finishes (forget_request_id), not only while the middleware runs:
        # Django logs a 4xx or 5xx response ("Not Found: /x") after the middleware returned.
        request_id.set(rid)
        response = self.get_response(request)
        response["X-Request-ID"] = rid
        return response


def forget_request_id(**_signal_kwargs) -> None:
    """request_finished: lines logged between requests carry no request's id."""
    request_id.set("-")
