"""Who is acting right now: a request's user or a named system process.

The change log reads the current actor from a context variable that
:class:`qingshan.core.middleware.ActorMiddleware` sets for each request and
that management commands and servers set with :func:`acting_as`.
"""

from __future__ import annotations

import contextlib
import contextvars
import uuid
from dataclasses import dataclass, field


@dataclass(frozen=True)
class Actor:
    user_id: int | None = None
    username: str = "system"
    request_id: str = field(default_factory=lambda: uuid.uuid4().hex)
    remote_addr: str | None = None


_current: contextvars.ContextVar[Actor | None] = contextvars.ContextVar("qingshan_actor", default=None)


def current_actor() -> Actor:
    return _current.get() or Actor()


@contextlib.contextmanager
def acting_as(user=None, name: str | None = None, remote_addr: str | None = None):
    """Attribute every change inside the block to ``user`` or a system ``name``."""
    if user is not None and getattr(user, "is_authenticated", False):
        actor = Actor(user_id=user.pk, username=user.get_username(), remote_addr=remote_addr)
    else:
        actor = Actor(username=name or "system", remote_addr=remote_addr)
    token = _current.set(actor)
    try:
        yield actor
    finally:
        _current.reset(token)
