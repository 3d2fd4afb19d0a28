"""Sign-in throttling for every sign-in form (the desk's, the admin's, later the help centre's)."""

from axes.backends import AxesStandaloneBackend


class ThrottledBackend(AxesStandaloneBackend):
    """django-axes' check before the password is tried: a locked-out username and address are
    refused with axes' lock-out page.

    Sign-ins through a request are checked; one without a request (code, the test client, the
    shell) has no address to throttle and is left to the next backend."""

    def authenticate(self, request, username=None, password=None, **kwargs):
        if request is None:
            return None
        return super().authenticate(request, username=username, password=password, **kwargs)
