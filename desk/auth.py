"""Signing in: throttled for every sign-in form (the desk's, the admin's, the help centre's), then
checked by password; a user's permissions read in one query."""

from axes.backends import AxesStandaloneBackend
from django.contrib.auth.backends import ModelBackend
from django.contrib.auth.models import Permission
from django.db.models import Q


class ThrottledBackend(AxesStandaloneBackend):
    """django-axes' check before the password is tried: a locked-out username and address are
    refused with axes' lock-out page.

    Sign-ins through a request are checked; one without a request (code, the test client, the
    shell) has no address to throttle and is left to the next backend."""

    def authenticate(self, request, username=None, password=None, **kwargs):
        if request is None:
            return None
        return super().authenticate(request, username=username, password=password, **kwargs)


class PasswordBackend(ModelBackend):
    """Django's model backend (sign-in by password, permissions from the user and its groups),
    a user's permissions read in one query rather than two (its own, its groups'): every signed-in
    page asks, once a request."""

    def get_all_permissions(self, user_obj, obj=None):
        if not user_obj.is_active or user_obj.is_anonymous or obj is not None:
            return set()
        if not hasattr(user_obj, "_perm_cache"):
            granted = Permission.objects.all()
            if not user_obj.is_superuser:
                granted = granted.filter(Q(user=user_obj) | Q(group__user=user_obj))
            rows = granted.order_by().values_list("content_type__app_label", "codename")
            user_obj._perm_cache = {f"{app}.{codename}" for app, codename in rows}
        return user_obj._perm_cache
