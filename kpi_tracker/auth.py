"""Login throttling for web logins (django-axes)."""

from axes.backends import AxesStandaloneBackend


class LoginThrottleBackend(AxesStandaloneBackend):
    """django-axes' lockout check, first in AUTHENTICATION_BACKENDS.

    Axes refuses authenticate() calls that carry no request; those come from a shell or a
    management command, not from the network, so they are let through to ModelBackend
    unthrottled instead of failing.
    """

    def authenticate(self, request, username=None, password=None, **kwargs):
        if request is None:
            return None
        return super().authenticate(request, username, password, **kwargs)
