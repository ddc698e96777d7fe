"""Django admin, for Coworklib staff: the outbox (what left, what failed and why), news to send.

Deliveries are read-only except for one action: staff may put failed ones back
in the queue after checking that they did not leave (a delivery interrupted
mid-send is failed rather than retried, so that nothing is ever sent twice).
"""

from typing import Any

from django.contrib import admin, messages
from django.db.models import QuerySet
from django.http import HttpRequest
from django.utils import timezone
from django.utils.translation import gettext_lazy as _
from django.utils.translation import ngettext

from coworklib.notifications.models import Delivery, DeliveryStatus, News
from coworklib.notifications.news import send_news
from coworklib.notifications.tasks import enqueue_senders
from coworklib.planning.admin import ReadOnly


@admin.register(Delivery)
class DeliveryAdmin(ReadOnly, admin.ModelAdmin):
    list_display = ("created_at", "channel", "kind", "status", "attempts", "recipient", "subject", "sent_at")
    list_filter = ("status", "channel", "kind")
    search_fields = ("subject", "recipient__email", "last_error")
    readonly_fields = [field.name for field in Delivery._meta.fields]
    date_hierarchy = "created_at"
    actions = ["queue_again"]

    @admin.action(description=_("Remettre en file d'envoi (après avoir vérifié qu'ils ne sont pas partis)"))
    def queue_again(self, request: HttpRequest, queryset: QuerySet[Delivery]) -> None:
        count = queryset.filter(status=DeliveryStatus.FAILED).update(
            status=DeliveryStatus.PENDING, attempts=0, next_attempt_at=timezone.now(), claimed_until=None
        )
        enqueue_senders()
        messages.success(request, ngettext("%d envoi remis en file.", "%d envois remis en file.", count) % count)

    def has_change_permission(self, request: HttpRequest, obj: Any = None) -> bool:
        # The action needs it; every field stays read-only.
        return bool(request.user.is_superuser)


@admin.register(News)
class NewsAdmin(admin.ModelAdmin):
    list_display = ("subject_fr", "created_at", "sent_at")
    readonly_fields = ("created_at", "sent_at")
    actions = ["send"]

    @admin.action(description=_("Envoyer aux personnes qui ont accepté les nouveautés"))
    def send(self, request: HttpRequest, queryset: QuerySet[News]) -> None:
        queued = sum(send_news(news) for news in queryset)
        messages.success(request, ngettext("%d e-mail mis en file.", "%d e-mails mis en file.", queued) % queued)
