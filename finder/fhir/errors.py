"""Every FHIR error is an OperationOutcome (application/fhir+json) with its HTTP status."""

from typing import Any

# OperationOutcome.issue.code (http://hl7.org/fhir/R4/valueset-issue-type.html) per status.
ISSUE_CODES = {
    400: "invalid",
    401: "login",
    403: "forbidden",
    404: "not-found",
    405: "not-supported",
    406: "not-supported",
    429: "throttled",
    503: "transient",
}


class FhirError(Exception):
    """A request the FHIR endpoint refuses: `status` and the messages of its issues."""

    def __init__(self, status: int, *messages: str, code: str = "") -> None:
        super().__init__(*messages)
        self.status = status
        self.messages = list(messages)
        self.code = code or ISSUE_CODES.get(status, "processing")


def bad_request(*messages: str) -> FhirError:
    return FhirError(400, *messages)


def not_found(message: str) -> FhirError:
    return FhirError(404, message, code="not-found")


def operation_outcome(status: int, messages: list[str], code: str = "") -> dict[str, Any]:
    code = code or ISSUE_CODES.get(status, "processing")
    severity = "error" if status < 500 else "fatal"
    return {
        "resourceType": "OperationOutcome",
        "issue": [
            {"severity": severity, "code": code, "diagnostics": message} for message in messages
        ],
    }
