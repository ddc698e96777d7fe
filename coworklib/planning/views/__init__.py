"""Planning pages: sessions (sessions.py) and presence (presence.py)."""

from coworklib.planning.views.presence import (
    check_in,
    check_out,
    console_qr,
    qr_check_in,
    whereabouts,
    workspace_day,
)
from coworklib.planning.views.sessions import (
    agenda,
    calendar_feed,
    calendar_settings,
    cancel,
    decline,
    edit_session,
    invite,
    join,
    leave,
    plan_session,
    session_detail,
    session_ics,
)

__all__ = [
    "agenda",
    "calendar_feed",
    "calendar_settings",
    "cancel",
    "check_in",
    "check_out",
    "console_qr",
    "decline",
    "edit_session",
    "invite",
    "join",
    "leave",
    "plan_session",
    "qr_check_in",
    "session_detail",
    "session_ics",
    "whereabouts",
    "workspace_day",
]
