"""Domain events of planning, for other apps (notifications) to subscribe to without touching this one.

Services announce them with `announce`, which sends the signal once the
transaction commits: a change that is rolled back announces nothing.
Receivers get ids and small values, and reload what they need.

Arguments (all keyword):
- session_created: session_id, by_user_id
- session_changed: session_id, by_user_id, changes (field names: "start", "end",
  "workspace", "description", "visibility"), reconfirm_user_ids (going
  participants a move put back to "invited" because it overlapped another session)
- session_cancelled: session_id, by_user_id
- participants_invited: session_id, by_user_id, user_ids
- participant_joined: session_id, user_id
- participant_left: session_id, user_id
- seat_released: session_id, user_id (a no-show's seat, given back)
"""

from functools import partial
from typing import Any

from django.db import transaction
from django.dispatch import Signal

session_created = Signal()
session_changed = Signal()
session_cancelled = Signal()
participants_invited = Signal()
participant_joined = Signal()
participant_left = Signal()
seat_released = Signal()


def announce(event: Signal, **arguments: Any) -> None:
    """Send `event` once the current transaction commits (at once outside one).

    A failing receiver is logged, never raised into the change that announced it.
    """
    transaction.on_commit(partial(event.send_robust, sender="planning", **arguments))
