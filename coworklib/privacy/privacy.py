"""The privacy app's own tables, and those of the third-party apps nobody else declares.

allauth's e-mail addresses and authenticators are declared here but erased
by accounts' eraser, which owns everything about signing in.
"""

from typing import Any

from allauth.account.models import EmailAddress, EmailConfirmation
from allauth.mfa.models import Authenticator
from django.contrib.admin.models import LogEntry
from django.contrib.auth.models import Group, Permission
from django.contrib.contenttypes.models import ContentType
from django.contrib.sessions.models import Session as WebSession
from django.db.models import Q
from django_tasks_db.models import DBTaskResult

from coworklib.accounts.selectors import email_addresses_of
from coworklib.core.media import delete_files_on_commit
from coworklib.privacy.models import ConsentRecord, ContactRequest, DataExport, InactivityNotice
from coworklib.privacy.registry import identity_needles, matching_any, register, rows, scrub, scrub_json_text


def _contact_requests(user: Any) -> Any:
    # Also those sent while signed out, from any of their addresses, however it was typed.
    sent_from = Q(user=user)
    for address in email_addresses_of(user):
        sent_from |= Q(email__iexact=address)
    return ContactRequest.objects.filter(sent_from)


def export(user: Any) -> dict[str, Any]:
    return {
        "consents": rows(
            ConsentRecord.objects.filter(user=user).order_by("created_at"), "created_at", "version", "categories"
        ),
        "contact_requests": rows(
            _contact_requests(user).order_by("created_at"),
            "created_at",
            "name",
            "email",
            "topic",
            "message",
            "handled_at",
        ),
        "data_exports": rows(
            DataExport.objects.filter(user=user).order_by("created_at"),
            "created_at",
            "status",
            "ready_at",
            "expires_at",
        ),
        "inactivity_notices": rows(InactivityNotice.objects.filter(user=user), "sent_at"),
    }


def _scrub_admin_history(user: Any) -> None:
    """Django admin's history keeps, as staff saw them, the names of the objects they changed: the
    account itself, and their memberships, requests or addresses, under their name or address.
    The entries stay (what staff did, when), without those."""
    needles = identity_needles(user)
    user_type = ContentType.objects.get_for_model(type(user))
    about_the_account = Q(content_type=user_type, object_id=str(user.pk))
    entries = LogEntry.objects.filter(
        about_the_account | matching_any("object_repr", needles) | matching_any("change_message", needles)
    )
    for entry in entries:
        if entry.content_type_id == user_type.pk and entry.object_id == str(user.pk):
            entry.object_repr = ""
        else:
            entry.object_repr = str(scrub(entry.object_repr, needles, ""))
        entry.change_message = scrub_json_text(entry.change_message, needles, "")
        entry.save(update_fields=["object_repr", "change_message"])


def erase(user: Any) -> None:
    ConsentRecord.objects.filter(user=user).delete()
    _contact_requests(user).delete()
    exports = DataExport.objects.filter(user=user)
    delete_files_on_commit(list(exports.values_list("file", flat=True)))
    exports.delete()
    InactivityNotice.objects.filter(user=user).delete()
    _scrub_admin_history(user)


register(
    "privacy",
    fields={
        ConsentRecord: ({"user", "visitor_id", "created_at"}, {"id", "version", "categories"}),
        ContactRequest: ({"user", "name", "email", "message", "created_at"}, {"id", "topic", "handled_at"}),
        DataExport: (
            {"user", "file", "created_at"},
            {"id", "key", "status", "ready_at", "expires_at", "downloaded_at"},
        ),
        InactivityNotice: ({"user", "sent_at"}, {"id"}),
        # Third-party tables. allauth's are erased by accounts (see its privacy.py).
        EmailAddress: ({"user", "email"}, {"id", "verified", "primary"}),
        EmailConfirmation: ({"email_address", "key", "created", "sent"}, {"id"}),
        Authenticator: ({"user", "data", "created_at", "last_used_at"}, {"id", "type"}),
        # A web session's data holds the signed-in user's id: accounts' eraser deletes their sessions.
        WebSession: ({"session_data"}, {"session_key", "expire_date"}),
        # Admin history: entries about the user lose the name they were shown under (above).
        LogEntry: (
            {"object_repr", "change_message"},
            {"id", "action_time", "user", "content_type", "object_id", "action_flag"},
        ),
        # Tasks take ids, never names or addresses (STYLE.md), so their rows hold nothing personal.
        DBTaskResult: (
            set(),
            {
                "id",
                "status",
                "enqueued_at",
                "started_at",
                "finished_at",
                "args_kwargs",
                "priority",
                "task_path",
                "worker_ids",
                "queue_name",
                "backend_name",
                "run_after",
                "return_value",
                "exception_class_path",
                "traceback",
            },
        ),
        Group: (set(), {"id", "name", "permissions"}),
        Permission: (set(), {"id", "name", "content_type", "codename"}),
        ContentType: (set(), {"id", "app_label", "model"}),
    },
    exporter=export,
    eraser=erase,
    order=900,
)
