"""The per-document time limit, as the code that runs patterns sees it.

Batch cleaning arms SIGALRM for each document (`cleaner.batch.clean_guarded`): the limit then
holds for the whole document, and a pattern that runs too long is interrupted by the alarm
(the regex module checks for signals while it matches). Pattern calls then need no limit of
their own, which matters: the regex module's `timeout=` argument costs about 1.7 µs a call,
more than most matches. Elsewhere (the library call `clean()`, a thread) no alarm is armed,
and every pattern call gets the time left.
"""
from __future__ import annotations

import contextvars
import time

# True while an alarm guards the whole document being cleaned.
ALARMED: contextvars.ContextVar[bool] = contextvars.ContextVar("cleaner_alarmed", default=False)


def deadline(seconds: float) -> float | None:
    """The monotonic time by which pattern matching must end, or None when an alarm guards
    the whole document."""
    return None if ALARMED.get() else time.monotonic() + seconds


class DocumentTimeout(Exception):
    """Pattern matching on one document went past the configured time limit."""


def remaining(deadline: float | None) -> float | None:
    """Seconds left for a pattern call (None under an alarm: no limit of its own); past the
    deadline, DocumentTimeout."""
    if deadline is None:
        return None
    left = deadline - time.monotonic()
    if left <= 0:
        raise DocumentTimeout()
    return left
