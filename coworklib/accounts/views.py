import copy
import math
from typing import Any

from allauth.account.decorators import reauthentication_required
from allauth.account.views import LoginView as AllauthLoginView
from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.http import Http404, HttpRequest, HttpResponse, HttpResponseBase
from django.shortcuts import redirect, render
from django.utils import translation
from django.utils.translation import gettext as _
from django.utils.translation import ngettext
from django.views.decorators.http import require_http_methods, require_POST

from coworklib.accounts import selectors, services, throttling
from coworklib.accounts.forms import ApiTokenForm, ProfileForm
from coworklib.accounts.middleware import remember_language_change
from coworklib.accounts.models import User
from coworklib.core.errors import InvalidInput, NotFound


def login_retry_message(retry_after: int) -> str:
    minutes = max(1, math.ceil(retry_after / 60))
    return ngettext(
        "Trop de tentatives de connexion ont échoué. Par sécurité, réessayez dans %(minutes)d minute "
        "ou réinitialisez votre mot de passe.",
        "Trop de tentatives de connexion ont échoué. Par sécurité, réessayez dans %(minutes)d minutes "
        "ou réinitialisez votre mot de passe.",
        minutes,
    ) % {"minutes": minutes}


class LoginView(AllauthLoginView):
    """allauth's login, refused with a 429 while the address or the IP is throttled.

    The check comes before the password is looked at, so a throttled attacker
    learns nothing, and a refused attempt does not extend the wait.
    """

    def post(self, request: HttpRequest, *args: Any, **kwargs: Any) -> HttpResponseBase:
        email = request.POST.get("login", "")
        state = throttling.check_login_throttle(email=email, ip=throttling.client_ip(request))
        if not state.throttled:
            return super().post(request, *args, **kwargs)
        # An unbound form keeps what was typed (the address) without validating
        # it: validating would check the password.
        form = self.get_form_class()(initial={"login": email}, request=request)
        context = self.get_context_data(form=form, throttle_message=login_retry_message(state.retry_after))
        response = self.render_to_response(context, status=429)
        response["Retry-After"] = str(state.retry_after)
        return response


def signed_in_user(request: HttpRequest) -> User:
    # login_required has run: the user is a real account.
    user = request.user
    if not isinstance(user, User):
        raise TypeError("an authenticated accounts.User is required")
    return user


@login_required
@require_http_methods(["GET", "POST"])
def profile(request: HttpRequest) -> HttpResponse:
    user = signed_in_user(request)
    if request.method == "POST":
        form = ProfileForm(request.POST, request.FILES, instance=copy.copy(user))
        if form.is_valid():
            previous_language = user.language
            try:
                services.update_profile(user=user, photo=form.processed_photo, **form.profile_changes())
            except InvalidInput as exc:
                for error in exc.extra.get("errors", []):
                    form.add_error(error["loc"][-1], error["msg"])
            else:
                if user.language != previous_language:
                    remember_language_change(request, user.language)
                    translation.activate(user.language)
                messages.success(request, _("Votre profil est enregistré."))
                return redirect("accounts:profile")
    else:
        form = ProfileForm(instance=user)
    return render(request, "accounts/profile.html", {"form": form, "settings_section": "profile"})


@login_required
@require_POST
def remove_photo(request: HttpRequest) -> HttpResponse:
    services.remove_profile_photo(user=signed_in_user(request))
    messages.success(request, _("Votre photo a été supprimée."))
    return redirect("accounts:profile")


def _tokens_page(request: HttpRequest, *, form: ApiTokenForm, new_token: str = "", status: int = 200) -> HttpResponse:
    context = {
        "form": form,
        "tokens": selectors.api_tokens_of(signed_in_user(request)),
        "new_token": new_token,
        "settings_section": "tokens",
    }
    return render(request, "accounts/tokens.html", context, status=status)


@login_required
@require_http_methods(["GET", "POST"])
@reauthentication_required(allow_get=True)
def tokens(request: HttpRequest) -> HttpResponse:
    # Creating a token hands out a lasting credential, so it asks for the
    # password again (allauth's re-authentication) like a password change does.
    if request.method == "POST":
        form = ApiTokenForm(request.POST)
        if not form.is_valid():
            return _tokens_page(request, form=form)
        _token, raw = services.create_api_token(user=signed_in_user(request), name=form.cleaned_data["name"])
        # Shown in this response only: it is not stored anywhere, not even in the session.
        return _tokens_page(request, form=ApiTokenForm(), new_token=raw, status=201)
    return _tokens_page(request, form=ApiTokenForm())


@login_required
@require_POST
def revoke_token(request: HttpRequest, token_id: int) -> HttpResponse:
    try:
        services.revoke_api_token(user=signed_in_user(request), token_id=token_id)
    except NotFound:
        raise Http404 from None
    messages.success(request, _("Le jeton a été révoqué : il ne fonctionne plus."))
    return redirect("accounts:tokens")
