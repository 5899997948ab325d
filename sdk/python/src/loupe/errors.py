"""The errors the SDK raises. The telemetry path (spans, decisions) never raises; these come from
configuration and from the synchronous feedback call."""

from __future__ import annotations

from typing import Optional

__all__ = ["LoupeError", "LoupeConfigError", "LoupeRejected", "LoupeUnavailable"]


class LoupeError(Exception):
    """The base of every error the SDK raises."""


class LoupeConfigError(LoupeError, ValueError):
    """A setting is missing or malformed; ``setting`` names it (a parameter or an environment variable)."""

    def __init__(self, setting: str, message: str) -> None:
        super().__init__(f"{setting}: {message}")
        self.setting = setting


class LoupeRejected(LoupeError):
    """The service refused the request for good (a 4xx other than 429): retrying cannot help.

    ``field`` is the problem's field (``signal``, ``decisionId``, ``Authorization``…) when the service named one,
    ``detail`` its explanation, ``status`` the HTTP status.
    """

    def __init__(self, status: int, field: Optional[str], detail: str, title: Optional[str] = None) -> None:
        where = f" ({field})" if field else ""
        super().__init__(f"HTTP {status}{where}: {detail}")
        self.status = status
        self.field = field
        self.detail = detail
        self.title = title


class LoupeUnavailable(LoupeError):
    """The service could not be reached or stayed overloaded (I/O error, timeout, 429, 5xx) within the retry budget.

    ``status`` is the last HTTP status, or None when no answer came.
    """

    def __init__(self, message: str, status: Optional[int] = None) -> None:
        super().__init__(message)
        self.status = status
