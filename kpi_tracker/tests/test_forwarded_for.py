"""Forwarded headers count only from the configured proxies (TRUSTED_PROXIES), parsed strictly;
anything else is ignored and never fails a request (the audit log's address is an inet on
PostgreSQL)."""

import pytest
from django.test import RequestFactory
from django.urls import reverse

from conftest import PASSWORD
from kpi_tracker.lib.net import parse_networks
from kpi_tracker.middleware import ForwardedForMiddleware
from milestones.models import AuditEvent

pytestmark = pytest.mark.django_db


@pytest.fixture
def proxies(settings):
    """nginx on the host and a load balancer network in front of it; X-Forwarded-Proto trusted."""
    settings.BEHIND_PROXY = True
    settings.SECURE_PROXY_SSL_HEADER = ("HTTP_X_FORWARDED_PROTO", "https")
    settings.TRUSTED_PROXIES = parse_networks(["127.0.0.1", "10.0.0.0/24", "2001:db8:1::/48"])
    return settings


def login_from(client, remote_addr: str, forwarded_for: str | None = None):
    headers = {"REMOTE_ADDR": remote_addr}
    if forwarded_for is not None:
        headers["HTTP_X_FORWARDED_FOR"] = forwarded_for
    response = client.post(reverse("login"), {"username": "staff_a", "password": PASSWORD}, **headers)
    assert response.status_code == 302, response.status_code
    return AuditEvent.objects.get(action="login").ip_address


def seen(remote_addr: str, **headers):
    """REMOTE_ADDR and whether the request counts as HTTPS, as the views see them."""
    request = RequestFactory().get("/", REMOTE_ADDR=remote_addr, **headers)
    seen = {}

    def view(req):
        seen.update(addr=req.META["REMOTE_ADDR"], secure=req.is_secure(), meta=dict(req.META))

    ForwardedForMiddleware(view)(request)
    return seen


def test_a_client_reaching_the_app_directly_cannot_set_its_address(client, cast, proxies):
    assert login_from(client, "198.51.100.7", "6.6.6.6") == "198.51.100.7"


def test_a_client_reaching_the_app_directly_cannot_claim_https_or_a_host(proxies):
    result = seen(
        "198.51.100.7",
        HTTP_X_FORWARDED_PROTO="https",
        HTTP_X_FORWARDED_HOST="evil.example",
        HTTP_FORWARDED="for=1.2.3.4",
    )
    assert result["addr"] == "198.51.100.7" and result["secure"] is False
    assert not any(key in result["meta"] for key in ForwardedForMiddleware.HEADERS)


def test_through_the_proxy_the_client_is_the_entry_it_appended(client, cast, proxies):
    # 6.6.6.6 is what the client itself sent; nginx appended the address it saw.
    assert login_from(client, "127.0.0.1", "6.6.6.6, 203.0.113.9") == "203.0.113.9"


def test_through_two_proxies_the_walk_passes_every_trusted_one(client, cast, proxies):
    assert login_from(client, "127.0.0.1", "6.6.6.6, 203.0.113.9, 10.0.0.10") == "203.0.113.9"


def test_a_trusted_proxy_keeps_its_https_header(proxies):
    assert seen("127.0.0.1", HTTP_X_FORWARDED_PROTO="https", HTTP_X_FORWARDED_FOR="203.0.113.9")["secure"] is True


def test_ipv6_clients_and_proxies(client, cast, proxies):
    assert login_from(client, "2001:db8:1::5", "2001:db8:ffff::42") == "2001:db8:ffff::42"


@pytest.mark.parametrize(
    "forwarded_for",
    ["not-an-ip", "203.0.113.9:443", "[2001:db8::1]", "fe80::1%eth0", "203.0.113.9 junk", "", " , ", "999.1.1.1"],
)
def test_a_forwarded_value_that_is_not_strictly_an_address_is_ignored_not_a_500(client, cast, proxies, forwarded_for):
    """The walk stops at the bad entry: the client seems to be the proxy, and the login is audited."""
    assert login_from(client, "127.0.0.1", forwarded_for) == "127.0.0.1"


def test_a_bad_entry_behind_a_good_one_stops_the_walk_at_the_good_one(client, cast, proxies):
    assert login_from(client, "127.0.0.1", "garbage, 203.0.113.9") == "203.0.113.9"


def test_a_peer_that_is_not_an_ip_address_is_audited_without_one(client, cast, proxies):
    assert login_from(client, "unix:/run/gunicorn.sock", "203.0.113.9") is None


def test_without_trusted_proxies_nothing_forwarded_counts(client, cast, settings):
    settings.TRUSTED_PROXIES = []
    assert login_from(client, "127.0.0.1", "203.0.113.9") == "127.0.0.1"
