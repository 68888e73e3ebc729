"""The base of the partner API's views."""

import contextlib

from rest_framework.request import Request
from rest_framework.response import Response
from rest_framework.views import APIView

CYCLIC_ATTRIBUTES = ("response", "head")


class ApiView(APIView):
    """An APIView whose view, request and response are freed as soon as the response is sent.

    Django and DRF link them in cycles (the view holds its request, its response and its own
    bound `get`; the response's renderer context holds the view and the response; the request's
    parser context the view and the request), so each API call left its whole response
    body, every result dict of a search page, to Python's cycle collector rather than to
    reference counting, and the collector would run every few requests to find them. Once
    rendered, the response needs none of those links.
    """

    # Typed as the stubs type APIView's; a view may still return a plain HttpResponse.
    def finalize_response(self, request: Request, response: Response, *args, **kwargs) -> Response:
        response = super().finalize_response(request, response, *args, **kwargs)
        if isinstance(response, Response):
            response.add_post_render_callback(self._release)
        return response

    def _release(self, response: Response) -> None:
        # The stubs do not declare the attribute finalize_response() sets on every Response.
        response.renderer_context = None  # type: ignore[attr-defined]
        request = getattr(self, "request", None)
        if isinstance(request, Request):  # whose parser context holds the view and itself
            request.parser_context = {}  # what Request holds when given none
        # The view's last links to itself: its response (whose post-render callbacks hold this
        # method, so the view), and `head`, which Django's View.setup() sets to the view's own
        # bound `get`.
        for name in CYCLIC_ATTRIBUTES:
            # Not there: never set (an error before dispatch), or a method of the class.
            with contextlib.suppress(AttributeError):
                delattr(self, name)
