"""gunicorn's own log lines as JSON objects, in the app's form (config/logging.py), so that
everything a host writes to stdout parses the same way.

The access line is built from the few fields it shows: gunicorn's stock logger first collects
every request and response header and environ variable as a format atom, on every request,
even when the log goes to /dev/null.
"""

import json
from datetime import UTC, datetime
from urllib.parse import parse_qsl, urlencode

from gunicorn import glogging

from config.logging import JsonFormatter

# Search parameters that say where a person is (a home address, often): their values are
# never written to the access log, only that they were given.
LOCATING_PARAMETERS = frozenset({"near", "lat", "lng"})
REDACTED = "redacted"


def redacted_query(query: str) -> str:
    """The query string with the values of LOCATING_PARAMETERS replaced by REDACTED."""
    pairs = parse_qsl(query, keep_blank_values=True)
    if not any(name in LOCATING_PARAMETERS for name, _ in pairs):
        return query
    return urlencode(
        [(name, REDACTED if name in LOCATING_PARAMETERS else value) for name, value in pairs]
    )


def body_bytes(resp, req) -> int:
    """The body's length as sent. gunicorn counts what it writes, but not a file it hands to
    sendfile() (WhiteNoise's static files): for those, the length it announced."""
    if resp.sent or req.method == "HEAD" or resp.status_code in (204, 304):
        return resp.sent
    return resp.response_length or 0


class JsonLogger(glogging.Logger):
    """gunicorn's logger with JSON lines: the error log through the app's JsonFormatter, and
    one object per request in the access log."""

    def setup(self, cfg) -> None:
        super().setup(cfg)
        formatter = JsonFormatter()
        for handler in self.error_log.handlers:
            if getattr(handler, "_gunicorn", False):  # the handler gunicorn made, not a user's
                handler.setFormatter(formatter)

    def access(self, resp, req, environ, request_time) -> None:
        if not self.cfg.accesslog:
            return
        # Never raises: gunicorn calls this in a `finally` that must not trade the request's
        # own exception (a client gone mid-response) for one of ours.
        try:
            line = json.dumps(access_entry(resp, req, environ, request_time), ensure_ascii=False)
            self.access_log.info(line)
        except Exception:
            self.exception("Could not write an access log line")


def access_entry(resp, req, environ, request_time) -> dict:
    status = resp.status_code  # None if the app gave an unreadable status line
    return {
        "time": datetime.now(UTC).isoformat(timespec="milliseconds"),
        "level": "INFO",
        "logger": "gunicorn.access",
        "message": f"{req.method} {req.path} {status}",
        "request_id": next(
            (value for name, value in resp.headers if name.lower() == "x-request-id"), "-"
        ),
        "method": req.method,
        "path": req.path,
        "query": redacted_query(req.query),
        "status": status,
        "bytes": body_bytes(resp, req),
        "duration_ms": round(request_time.total_seconds() * 1000, 2),
        "remote_addr": environ.get("REMOTE_ADDR", "-"),
    }
