"""The preferences page with its API tokens section (the page is ``desk``'s; the tokens are the
API's, so the page is composed here and mounted at its address by ``config.urls``)."""

from django.contrib import messages
from django.core.exceptions import ValidationError
from django.shortcuts import redirect
from django.urls import reverse
from django.utils.cache import add_never_cache_headers
from django.utils.translation import gettext as _
from django.views import View

from desk.forms import PreferencesForm
from desk.views import PreferencesView

from . import tokens
from .forms import TokenForm

# Where the tokens section starts: its forms come back to it, not to the top of the page.
TOKENS_SECTION = "api-tokens"


def tokens_section_url() -> str:
    return f"{reverse('preferences')}#{TOKENS_SECTION}"


class PreferencesWithTokensView(PreferencesView):
    template_name = "api/preferences.html"

    def get_context_data(self, **kwargs):
        context = super().get_context_data(**kwargs)
        context.setdefault("token_form", TokenForm())
        context["tokens"] = list(tokens.tokens_of(self.request.user))
        context["tokens_section"] = TOKENS_SECTION
        return context


class TokenCreateView(PreferencesWithTokensView):
    """Make a token and show its secret on the page it answers with, once (never in a redirect,
    a message or the session), in an answer no cache keeps."""

    def get(self, request, *args, **kwargs):
        # Nothing to show here but the page it came from (a bookmark, the back button).
        return redirect(tokens_section_url())

    def post(self, request, *args, **kwargs):
        token_form = TokenForm(request.POST)
        context = {"form": PreferencesForm(instance=self.get_form_kwargs()["instance"])}
        if token_form.is_valid():
            try:
                token, secret = tokens.token_create(by=request.user, **token_form.cleaned_data)
            except ValidationError as error:
                for field, field_messages in error.message_dict.items():
                    for message in field_messages:
                        token_form.add_error(field if field in token_form.fields else None, message)
            else:
                context.update(new_token=token, new_secret=secret)
                token_form = TokenForm()
        context["token_form"] = token_form
        status = 400 if token_form.errors else 200
        response = self.render_to_response(self.get_context_data(**context), status=status)
        add_never_cache_headers(response)  # the secret stays in no cache, shared or the browser's
        return response


class TokenRevokeView(View):
    def post(self, request, token_key):
        tokens.token_revoke(by=request.user, token_key=token_key)
        messages.success(request, _("Token revoked: it no longer signs anything in."))
        return redirect(tokens_section_url())
