"""The API server's errors, worded as a real one words them.

A real API server answers a failed request with a ``Status`` object: a reason (``NotFound``,
``AlreadyExists``, ``Invalid`` ...), an HTTP code and a message. kubectl turns it into the line a
learner sees, for example ``Error from server (NotFound): pods "web" not found``.

Sources: ``staging/src/k8s.io/apimachinery/pkg/api/errors/errors.go`` (messages),
``staging/src/k8s.io/apimachinery/pkg/util/validation/field/errors.go`` (field errors) and
``staging/src/k8s.io/kubectl/pkg/cmd/util/helpers.go`` (how kubectl prints them).
"""

from __future__ import annotations

import json
from dataclasses import dataclass
from typing import Any

from k8skit.api.kinds import KINDS, Kind


class _Omit:
    """Marks a field error whose bad value is not shown (upstream ``omitValue``)."""

    def __repr__(self) -> str:
        return "OMIT"


OMIT = _Omit()

# Field error types whose message never shows the offending value (field.Error.ErrorBody).
_VALUELESS = {"Required value", "Forbidden", "Too long", "Internal error"}


@dataclass
class FieldError:
    """One problem at one field path, e.g. ``spec.containers[0].image: Required value``."""

    path: str
    type: str
    value: Any = OMIT
    detail: str = ""

    def body(self) -> str:
        if self.type in _VALUELESS or self.value is OMIT:
            text = self.type
        elif isinstance(self.value, str):
            text = f"{self.type}: {json.dumps(self.value)}"
        elif isinstance(self.value, bool):
            text = f"{self.type}: {str(self.value).lower()}"
        elif isinstance(self.value, int | float):
            text = f"{self.type}: {self.value}"
        else:
            text = f"{self.type}: {json.dumps(self.value, separators=(',', ':'))}"
        return f"{text}: {self.detail}" if self.detail else text

    def __str__(self) -> str:
        return f"{self.path}: {self.body()}" if self.path else self.body()


class APIError(Exception):
    """A request the API server refused. ``str(err)`` is the line kubectl prints."""

    reason = "InternalError"
    code = 500

    def __init__(self, message: str) -> None:
        super().__init__(message)
        self.message = message

    def __str__(self) -> str:
        return f"Error from server ({self.reason}): {self.message}"


def _kind(kind: str | Kind) -> Kind:
    return kind if isinstance(kind, Kind) else KINDS[kind]


class NotFound(APIError):
    reason, code = "NotFound", 404

    def __init__(self, kind: str | Kind, name: str) -> None:
        super().__init__(f'{_kind(kind).plural_resource} "{name}" not found')
        self.kind, self.name = _kind(kind), name


class AlreadyExists(APIError):
    reason, code = "AlreadyExists", 409

    def __init__(self, kind: str | Kind, name: str) -> None:
        super().__init__(f'{_kind(kind).plural_resource} "{name}" already exists')
        self.kind, self.name = _kind(kind), name


class Conflict(APIError):
    reason, code = "Conflict", 409


class Forbidden(APIError):
    """The request is understood but refused (``namespaces "default" is forbidden: ...``)."""

    reason, code = "Forbidden", 403

    def __init__(self, kind: str | Kind, name: str, detail: str) -> None:
        super().__init__(f'{_kind(kind).plural_resource} "{name}" is forbidden: {detail}')
        self.kind, self.name = _kind(kind), name


class BadRequest(APIError):
    reason, code = "BadRequest", 400


class MethodNotAllowed(APIError):
    reason, code = "MethodNotAllowed", 405


class Invalid(APIError):
    """An object that failed validation; kubectl lists every cause.

    kubectl prints one cause on the same line and several as a bulleted list
    (``MultilineError`` in kubectl's helpers.go)::

        The Pod "web" is invalid: spec.containers[0].image: Required value
    """

    reason, code = "Invalid", 422

    def __init__(self, kind: str | Kind, name: str, causes: list[FieldError]) -> None:
        self.kind, self.name, self.causes = _kind(kind), name, list(causes)
        head = f'The {self.kind.kind} "{name}" is invalid: '
        if len(self.causes) == 1:
            message = head + str(self.causes[0])
        else:
            message = head + "".join(f"\n* {c}" for c in self.causes)
        super().__init__(message)

    def __str__(self) -> str:
        return self.message
