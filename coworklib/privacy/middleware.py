import functools
from collections.abc import Callable
from urllib.parse import urlencode

from django.conf import settings
from django.http import HttpRequest, HttpResponse, HttpResponseRedirect
from django.urls import NoReverseMatch, reverse

from coworklib.privacy.legal import has_accepted_current_terms


@functools.cache
def exempt_prefixes() -> tuple[str, ...]:
    """Paths answered without asking for the new terms first (computed once: the URLconf does not change).

    A person must always be able to read the documents, leave, change their cookie choice, write to
    us, download their data and delete their account without accepting anything. Machines (the API,
    health checks, files) and staff's admin never see the page.
    """
    named = [
        "privacy:legal_notice",
        "privacy:privacy_policy",
        "privacy:terms",
        "privacy:accept_terms",
        "privacy:consent",
        "privacy:contact",
        "privacy:my_data",  # and the export pages under it
        "privacy:delete_account",
        "account_logout",
        # Deleting the account may first ask to confirm the password or the second factor.
        "account_reauthenticate",
        "mfa_reauthenticate",
        "healthz",
        "set_language",
        "admin:index",
        # Read by the browser, not by a person: a redirect would break them.
        "notifications:service_worker",
        "notifications:manifest",
    ]
    # A link that must work without a page in between: unsubscribing (marketing stays refusable).
    prefixes = [settings.STATIC_URL, settings.MEDIA_URL, "/api/", "/i18n/", "/notifications/unsubscribe/"]
    for name in named:
        try:
            prefixes.append(reverse(name))
        except NoReverseMatch:
            continue
    return tuple(prefix for prefix in prefixes if prefix and prefix != "/")


class TermsAcceptanceMiddleware:
    """Sends a signed-in person whose accepted terms are not ``TERMS_VERSION`` to the acceptance page.

    Only page views (GET, not htmx) are redirected: a form being submitted or a fragment being
    loaded is answered normally, so nothing typed is lost; the next page view asks. Costs no query
    for anonymous visitors and exempt paths, one for everyone else.
    """

    def __init__(self, get_response: Callable[[HttpRequest], HttpResponse]) -> None:
        self.get_response = get_response

    def __call__(self, request: HttpRequest) -> HttpResponse:
        if self._must_accept(request):
            target = reverse("privacy:accept_terms") + "?" + urlencode({"next": request.get_full_path()})
            return HttpResponseRedirect(target)
        return self.get_response(request)

    def _must_accept(self, request: HttpRequest) -> bool:
        if request.method != "GET" or request.headers.get("HX-Request"):
            return False
        # Calendar feeds and .ics files are read by calendar apps, which cannot accept anything.
        if request.path.startswith(exempt_prefixes()) or request.path.endswith(".ics"):
            return False
        # Checked after the path: asking for request.user loads the session and the user.
        user = getattr(request, "user", None)
        if user is None or not user.is_authenticated:
            return False
        return not has_accepted_current_terms(request)
