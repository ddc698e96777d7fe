"""Refused requests are logged as one line; only server errors keep their traceback.

Django logs every 4xx response on ``django.request``, and a ``SuspiciousOperation`` on
``django.security.<name>``; for a ``PermissionDenied``, a ``BadRequest`` or a
``SuspiciousOperation`` it attaches the exception, so the console showed a full traceback
for a member opening an admin page. A refusal is the application working as intended:
``OneLineRefusals`` turns each record about a 4xx response into
``GET /o/acme/console/ 403 forbidden`` (method, path, status, code) without the traceback.
5xx records are left alone: a real error keeps everything that helps fixing it.

The code is the one the answer carried when its maker said so with ``note_refusal`` (the
API's error shape), else the one of the exception (a ``DomainError``'s code, ``forbidden``
for ``PermissionDenied``, ``not_found`` for ``Http404``, the exception's name in snake case
for the others), else the status's name (``method_not_allowed``).

Installed in ``settings.LOGGING`` on the ``django.request`` logger (so that every handler,
``caplog`` included, sees the short record) and on the console handler (which also gets
``django.security.*``: a logger's filters do not apply to its children's records).
"""

import logging
import re
from http import HTTPStatus
from typing import Any

from django.core.exceptions import PermissionDenied
from django.http import Http404, HttpRequest

from coworklib.core.errors import DomainError

_REFUSAL_CODE_ATTRIBUTE = "_refusal_code"
_CAMEL_HUMPS = re.compile(r"(?<!^)(?=[A-Z])")


def note_refusal(request: HttpRequest, code: str) -> None:
    """Say which code the 4xx answer to `request` carries, for its log line."""
    setattr(request, _REFUSAL_CODE_ATTRIBUTE, code)


def _code_of(exception: BaseException | None) -> str | None:
    if isinstance(exception, DomainError):
        return exception.code
    if isinstance(exception, PermissionDenied):
        return "forbidden"
    if isinstance(exception, Http404):
        return "not_found"
    if exception is not None:
        return _CAMEL_HUMPS.sub("_", type(exception).__name__).lower()
    return None


def _status_name(status: int) -> str:
    try:
        return HTTPStatus(status).phrase.lower().replace(" ", "_").replace("-", "_")
    except ValueError:
        return "error"


def _escaped(text: str) -> str:
    # A path is URL-decoded: "%0A" would otherwise start a fake log line.
    return text.encode("unicode_escape").decode("ascii")


class OneLineRefusals(logging.Filter):
    def filter(self, record: logging.LogRecord) -> bool | logging.LogRecord:
        status = getattr(record, "status_code", None)
        if not isinstance(status, int) or not 400 <= status < 500 or getattr(record, "refusal", False):
            return True
        request: Any = getattr(record, "request", None)
        exception = record.exc_info[1] if record.exc_info else None
        code = getattr(request, _REFUSAL_CODE_ATTRIBUTE, None) or _code_of(exception) or _status_name(status)
        method = _escaped(str(getattr(request, "method", "-")))
        path = _escaped(str(getattr(request, "path", "-")))
        # A copy: the record may go on to other handlers (and loggers) that read it as it came.
        line = logging.makeLogRecord(record.__dict__)
        line.msg = "%s %s %s %s"
        line.args = (method, path, status, code)
        line.exc_info = None
        line.exc_text = None
        line.refusal = True
        return line
