"""The contact form (/contact/) for questions, privacy requests and complaints, signed in or not."""

from django.core.exceptions import ValidationError
from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.urls import reverse
from django.views.decorators.http import require_http_methods

from coworklib.accounts.models import User
from coworklib.privacy.contact_services import ContactThrottled, submit_contact_request
from coworklib.privacy.forms import TOPIC_CHOICES, ContactForm

# The confirmation is a plain GET after the redirect (PRG), so reloading it sends nothing again.
SENT_PARAMETER = "sent"


def _initial(request: HttpRequest) -> dict[str, str]:
    initial = {}
    # Links elsewhere (privacy policy, "Vos données") can open the form on a topic: /contact/?topic=privacy.
    topic = request.GET.get("topic", "")
    if topic in {value for value, _label in TOPIC_CHOICES}:
        initial["topic"] = topic
    if isinstance(request.user, User):
        initial["name"] = f"{request.user.first_name} {request.user.last_name}".strip()
        initial["email"] = request.user.email
    return initial


@require_http_methods(["GET", "POST"])
def contact(request: HttpRequest) -> HttpResponse:
    user = request.user if isinstance(request.user, User) else None
    if request.method == "GET" and SENT_PARAMETER in request.GET:
        return render(request, "privacy/contact_sent.html")
    form = ContactForm(
        request.POST if request.method == "POST" else None, initial=_initial(request), with_honeypot=user is None
    )
    status = 200
    retry_after: int | None = None
    if request.method == "POST":
        if form.caught_a_bot:
            # Exactly what a person sees, so the bot has no reason to try another way.
            return redirect(f"{reverse('privacy:contact')}?{SENT_PARAMETER}=1")
        if form.is_valid():
            try:
                submit_contact_request(
                    user=user,
                    name=form.cleaned_data["name"],
                    email=form.cleaned_data["email"],
                    topic=form.cleaned_data["topic"],
                    message=form.cleaned_data["message"],
                    request=request,
                )
            except ContactThrottled as exc:
                form.add_error(None, exc.detail)
                status, retry_after = exc.status, exc.retry_after
            except ValidationError as exc:
                form.add_error(None, exc)
                status = 422
            else:
                return redirect(f"{reverse('privacy:contact')}?{SENT_PARAMETER}=1")
        else:
            status = 422
    response = render(request, "privacy/contact.html", {"form": form}, status=status)
    if retry_after is not None:
        response["Retry-After"] = str(retry_after)
    return response
