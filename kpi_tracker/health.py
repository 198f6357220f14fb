"""/healthz/: a load balancer's probe. Answers without a login and touches the database once.

It is also the "trivial Django view" behind the load benchmark's ceiling_rps figure: the
whole stack (gunicorn, middleware, one query) with no page rendering.
"""

from django.db import DatabaseError, connection
from django.http import HttpRequest, HttpResponse
from django.views.decorators.cache import never_cache
from django.views.decorators.http import require_safe


@never_cache
@require_safe
def healthz(request: HttpRequest) -> HttpResponse:
    try:
        with connection.cursor() as cursor:
            cursor.execute("SELECT 1")
            cursor.fetchone()
    except DatabaseError:
        return HttpResponse(
            "database unavailable\n", status=503, content_type="text/plain", headers={"Retry-After": "5"}
        )
    return HttpResponse("ok\n", content_type="text/plain")
