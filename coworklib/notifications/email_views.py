"""One-click unsubscribe from an e-mail, without logging in.

The link carries a signed token naming the person and what to turn off (a
notification type's e-mails, the digest, or news). Opening it shows a
confirmation button and changes nothing (mail scanners open links); pressing
it, or the mail client's RFC 8058 one-click POST, turns it off at once.
"""

from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import render
from django.urls import path
from django.utils.translation import gettext_lazy
from django.views.decorators.csrf import csrf_exempt

from coworklib.accounts.models import User

from . import preferences, services
from .emails import DIGEST, NEWS, read_unsubscribe_token
from .models import Channel, NotificationType

WHAT_ELSE = {
    DIGEST: gettext_lazy("le résumé quotidien par e-mail"),
    NEWS: gettext_lazy("les nouveautés et offres de Coworklib et de ses partenaires"),
}


def _label(what: str) -> str:
    return str(WHAT_ELSE[what]) if what in WHAT_ELSE else str(NotificationType(what).label)


# The token is the credential (a signed link sent to the person's own address); a cross-site POST can only
# turn an e-mail off, and mail clients send the one-click POST without any cookie or CSRF token.
@csrf_exempt
def unsubscribe(request: HttpRequest, token: str) -> HttpResponse:
    found = read_unsubscribe_token(token)
    user = User.objects.filter(pk=found[0], deleted_at__isnull=True).first() if found else None
    if found is None or user is None:
        raise Http404
    what = found[1]
    done = False
    if request.method == "POST":
        if what == DIGEST:
            services.update_settings(user=user, digest_enabled=False)
        elif what == NEWS:
            services.update_settings(user=user, news=False)
        else:
            preferences.set_preferences(user=user, choices={(what, Channel.EMAIL): False})
        done = True
    response = render(request, "notifications/unsubscribe.html", {"label": _label(what), "done": done})
    response["X-Robots-Tag"] = "noindex"
    return response


urlpatterns = [path("notifications/unsubscribe/<str:token>/", unsubscribe, name="unsubscribe")]
