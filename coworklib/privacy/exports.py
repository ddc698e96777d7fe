"""The data export of the web settings (GDPR access and portability): a ZIP built by the worker.

Asking for one (``request_data_export``) stores a pending ``DataExport`` and
enqueues ``build_data_export_task`` once the request commits. The task writes
``coworklib-personal-data.json`` (every app's exporter, as ``GET /me/export``),
the person's photos and a short note in their language, marks the export
ready for ``DATA_EXPORT_VALIDITY_HOURS`` and e-mails them the download link.
The link works only for its owner, signed in, until it expires; the daily
retention run deletes expired files. A person has one export at a time: a new
request replaces the previous one and its file.
"""

import io
import logging
import zipfile
from datetime import datetime, timedelta

from django.conf import settings
from django.core.files.base import ContentFile
from django.core.files.storage import default_storage
from django.core.mail import EmailMultiAlternatives
from django.db import transaction
from django.db.models import Q
from django.tasks import task
from django.template.loader import render_to_string
from django.urls import reverse
from django.utils import timezone, translation

from coworklib.accounts.models import User
from coworklib.core.media import delete_files_on_commit
from coworklib.privacy.models import DataExport
from coworklib.privacy.services import export_as_json, export_files, export_user_data

logger = logging.getLogger(__name__)

JSON_NAME = "coworklib-personal-data.json"
# A request still pending after this lost its worker (or waits behind a stopped one): a new
# request may replace it rather than leave the person stuck with "being prepared".
STALLED_AFTER = timedelta(minutes=30)
# Failed and stalled exports are kept this long for staff to see, then removed with their files.
KEEP_UNFINISHED = timedelta(days=1)


def request_data_export(*, user: User, now: datetime | None = None) -> DataExport:
    """A new export for ``user``, or the one already being prepared. Replaces (and deletes) older ones.

    Holds a SELECT FOR UPDATE lock on the user row, so two clicks make one export.
    """
    now = now or timezone.now()
    with transaction.atomic():
        User.objects.select_for_update().get(pk=user.pk)
        exports = DataExport.objects.filter(user=user)
        pending = exports.filter(status=DataExport.Status.PENDING, created_at__gt=now - STALLED_AFTER).first()
        if pending is not None:
            return pending
        delete_files_on_commit(list(exports.values_list("file", flat=True)))
        exports.delete()
        export = DataExport.objects.create(user=user, created_at=now)
        transaction.on_commit(lambda: build_data_export_task.enqueue(export.pk))
    return export


def _archive(user: User) -> bytes:
    buffer = io.BytesIO()
    with zipfile.ZipFile(buffer, "w", compression=zipfile.ZIP_DEFLATED) as archive:
        archive.writestr(JSON_NAME, export_as_json(export_user_data(user=user)))
        for name_in_archive, stored_name in export_files(user=user):
            if default_storage.exists(stored_name):
                with default_storage.open(stored_name, "rb") as stored:
                    archive.writestr(name_in_archive, stored.read())
        with translation.override(user.language):
            note_name = translation.gettext("LISEZMOI.txt")
            note = render_to_string(
                "privacy/export_readme.txt",
                {"json_name": JSON_NAME, "privacy_policy_url": settings.SITE_URL + reverse("privacy:privacy_policy")},
            )
        archive.writestr(note_name, note)
    return buffer.getvalue()


def build_data_export(*, export_id: int, now: datetime | None = None) -> bool:
    """Build a pending export's ZIP and e-mail its link. False when there was nothing to build.

    Safe to run twice: only a pending export is built, and it is marked ready
    only if it is still pending then (an erasure in between deletes the row:
    the file written meanwhile is deleted again).
    """
    export = DataExport.objects.select_related("user").filter(pk=export_id, status=DataExport.Status.PENDING).first()
    if export is None or export.user.is_deleted:
        return False
    user = export.user
    try:
        content = _archive(user)
    except Exception:
        logger.exception("data export %s could not be built", export.pk)
        DataExport.objects.filter(pk=export.pk, status=DataExport.Status.PENDING).update(
            status=DataExport.Status.FAILED
        )
        return False
    stored_name = default_storage.save(f"exports/{export.key}.zip", ContentFile(content))
    now = now or timezone.now()
    expires_at = now + timedelta(hours=settings.DATA_EXPORT_VALIDITY_HOURS)
    with transaction.atomic():
        marked = DataExport.objects.filter(pk=export.pk, status=DataExport.Status.PENDING).update(
            status=DataExport.Status.READY, file=stored_name, ready_at=now, expires_at=expires_at
        )
        if not marked:
            delete_files_on_commit([stored_name])
            return False
        export.refresh_from_db()
        transaction.on_commit(lambda: _send_ready_email(export), robust=True)
    return True


@task
def build_data_export_task(export_id: int) -> bool:
    return build_data_export(export_id=export_id)


def download_url(export: DataExport) -> str:
    return reverse("privacy:download_export", args=[export.key])


def _send_ready_email(export: DataExport) -> None:
    """The link, in the person's language. A mail failure is logged: the settings page shows the link too."""
    user = export.user
    with translation.override(user.language), timezone.override(user.timezone):
        context = {
            "user": user,
            "export": export,
            "download_url": settings.SITE_URL + download_url(export),
            "data_url": settings.SITE_URL + reverse("privacy:my_data"),
            "hours": settings.DATA_EXPORT_VALIDITY_HOURS,
        }
        subject = " ".join(render_to_string("privacy/email/export_ready_subject.txt", context).split())
        text = render_to_string("privacy/email/export_ready.txt", context)
        html = render_to_string("privacy/email/export_ready.html", context)
    message = EmailMultiAlternatives(subject=subject, body=text, to=[user.email])
    message.attach_alternative(html, "text/html")
    message.send()


def available_export(*, user: User, key: str, now: datetime | None = None) -> DataExport | None:
    """``user``'s export named ``key`` if it is ready and not expired; None otherwise (someone else's included)."""
    export = DataExport.objects.filter(user=user, key=key).first()
    if export is None or not export.is_available(now or timezone.now()):
        return None
    return export


def mark_downloaded(export: DataExport, *, now: datetime | None = None) -> None:
    export.downloaded_at = now or timezone.now()
    DataExport.objects.filter(pk=export.pk).update(downloaded_at=export.downloaded_at)


def delete_expired_exports(*, now: datetime | None = None) -> int:
    """Exports past their expiry, and failed or stalled ones after a day, with their files. Returns how many."""
    now = now or timezone.now()
    done = DataExport.objects.filter(
        Q(status=DataExport.Status.READY, expires_at__lte=now)
        | (~Q(status=DataExport.Status.READY) & Q(created_at__lte=now - KEEP_UNFINISHED))
    )
    with transaction.atomic():
        delete_files_on_commit(list(done.values_list("file", flat=True)))
        deleted, _by_model = done.delete()
    return deleted
