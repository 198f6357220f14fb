"""Project middleware: the client address behind a proxy, and a friendly page while the database is down.

Security headers are Django's own (SecurityMiddleware, XFrameOptionsMiddleware, settings.SECURE_*)
and django-csp's; nothing here repeats them.
"""

import logging
import sys
import time

from django.conf import settings
from django.contrib.auth import SESSION_KEY
from django.db import InterfaceError, OperationalError
from django.http import HttpRequest, HttpResponse, HttpResponseServerError
from django.middleware.locale import LocaleMiddleware
from django.template import loader
from django.utils import translation
from django.views.decorators.csrf import requires_csrf_token

from kpi_tracker.lib.net import in_networks, parse_ip

logger = logging.getLogger(__name__)

DATABASE_DOWN_ERRORS = (OperationalError, InterfaceError)
RETRY_AFTER_SECONDS = 15


class ThaiFirstLocaleMiddleware(LocaleMiddleware):
    """Thai unless the user chose English with the language button (the language cookie).

    Django's LocaleMiddleware would follow the browser's Accept-Language: most office computers
    here run an English Windows and browser, so staff would land in English without asking.
    """

    def process_request(self, request: HttpRequest) -> None:
        chosen = request.COOKIES.get(settings.LANGUAGE_COOKIE_NAME)
        language = chosen if chosen in dict(settings.LANGUAGES) else settings.LANGUAGE_CODE
        translation.activate(language)
        request.LANGUAGE_CODE = translation.get_language()

    def process_response(self, request: HttpRequest, response: HttpResponse) -> HttpResponse:
        # No i18n_patterns and no Accept-Language: the base class's redirects and Vary do not apply.
        response.headers.setdefault("Content-Language", translation.get_language())
        return response


class SessionRefreshMiddleware:
    """Restart a signed-in session's 30-minute idle clock on activity, at most once a minute.

    SESSION_SAVE_EVERY_REQUEST would give the same idle timeout by writing the session row on
    every request, which costs a transaction per page view. Touching a timestamp once every
    SESSION_REFRESH_SECONDS marks the session modified, so SessionMiddleware saves it and
    re-sends the cookie with a fresh age: a session ends between 29 and 30 idle minutes after
    the last request. Anonymous visitors get no session.
    """

    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request: HttpRequest) -> HttpResponse:
        session = request.session
        now = int(time.time())
        if SESSION_KEY in session and now - session.get("_refreshed_at", 0) >= settings.SESSION_REFRESH_SECONDS:
            session["_refreshed_at"] = now
        response = self.get_response(request)
        if session.modified and SESSION_KEY in session:
            session["_refreshed_at"] = now  # saved now anyway (a login, a message): that restarts the clock
        return response


class ForwardedForMiddleware:
    """Forwarded headers count only when they come from one of settings.TRUSTED_PROXIES.

    From any other peer (a client reaching the app directly) every X-Forwarded-* / Forwarded
    header is dropped before anything reads it: Django's SECURE_PROXY_SSL_HEADER, the audit
    log, the login throttle. From a trusted proxy, the client is found by walking X-Forwarded-For
    from the end (each proxy appends the address it received the request from) past every
    trusted proxy: the first address that is not one of ours is the client. An entry that is not
    strictly an IP address stops the walk there, so the client seems to be the last proxy that
    was reached, never a made-up value (which the audit log's inet column would refuse).
    """

    HEADERS = (
        "HTTP_X_FORWARDED_FOR",
        "HTTP_X_FORWARDED_PROTO",
        "HTTP_X_FORWARDED_HOST",
        "HTTP_X_FORWARDED_PORT",
        "HTTP_X_REAL_IP",
        "HTTP_FORWARDED",
    )

    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request: HttpRequest) -> HttpResponse:
        peer = parse_ip(request.META.get("REMOTE_ADDR"))
        if peer is None:
            # Not an IP address (a unix socket's peer, a broken front end): no address at all, so
            # that nothing writes it into an inet column (the audit log, django-axes) and fails.
            request.META.pop("REMOTE_ADDR", None)
        if peer is None or not in_networks(peer, settings.TRUSTED_PROXIES):
            for header in self.HEADERS:
                request.META.pop(header, None)
        else:
            request.META["REMOTE_ADDR"] = str(self.client_of(peer, request.META.get("HTTP_X_FORWARDED_FOR", "")))
        return self.get_response(request)

    @staticmethod
    def client_of(peer, forwarded_for: str):
        current = peer
        for entry in reversed(forwarded_for.split(",") if forwarded_for.strip() else []):
            if not in_networks(current, settings.TRUSTED_PROXIES):
                break
            address = parse_ip(entry)
            if address is None:
                break
            current = address
        return current


class PermissionsPolicyMiddleware:
    """Turn off browser features no page of ours uses (Django and django-csp do not set this header)."""

    POLICY = "camera=(), microphone=(), geolocation=(), payment=(), usb=()"

    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request: HttpRequest) -> HttpResponse:
        response = self.get_response(request)
        response.headers.setdefault("Permissions-Policy", self.POLICY)
        return response


def database_unavailable_response() -> HttpResponse:
    """The Thai 503 page. Rendered without a request context: it must not touch the database."""
    response = HttpResponse(loader.render_to_string("503.html"), status=503)
    response["Retry-After"] = str(RETRY_AFTER_SECONDS)
    response["Cache-Control"] = "no-store"
    return response


class DatabaseUnavailableMiddleware:
    """A view that cannot reach the database answers 503 with a Thai page, not a 500 with a traceback.

    Connections are opened per request (with health checks when persistent), so the app recovers
    by itself once the database is back. Errors raised outside the view (for instance while the
    session middleware saves the session) reach `server_error` below, which does the same.
    """

    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request: HttpRequest) -> HttpResponse:
        return self.get_response(request)

    def process_exception(self, request: HttpRequest, exception: Exception) -> HttpResponse | None:
        if isinstance(exception, DATABASE_DOWN_ERRORS):
            logger.error("database unavailable: %s", exception)
            return database_unavailable_response()
        return None


@requires_csrf_token
def server_error(request: HttpRequest) -> HttpResponse:
    """handler500: the 503 page when the database is the cause, else the plain Thai 500 page."""
    exc = sys.exc_info()[1]
    if isinstance(exc, DATABASE_DOWN_ERRORS):
        return database_unavailable_response()
    return HttpResponseServerError(loader.render_to_string("500.html"))
