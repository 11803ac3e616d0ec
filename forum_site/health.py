"""/healthz: is the database answering, decided within HEALTHZ_TIMEOUT seconds.

A load balancer probes this every few seconds. A database that accepts
connections but never answers would hold the probe (and a worker thread) for
as long as the database hangs, so the check runs in a thread of its own and
the answer is 503 once HEALTHZ_TIMEOUT has passed. At most one check runs at a
time: while one still hangs, the next probes get 503 at once rather than
piling up threads.
"""

import threading

from django.conf import settings
from django.db import connection
from django.http import HttpResponse
from django.views.decorators.http import require_safe

_one_check = threading.Lock()


def database_answers(timeout: float) -> bool:
    """Whether ``SELECT 1`` comes back within ``timeout`` seconds."""
    if not _one_check.acquire(blocking=False):
        return False  # the previous check is still waiting for the database
    answered = threading.Event()

    def check():
        ok = False
        try:
            with connection.cursor() as cursor:  # this thread's own connection
                cursor.execute("SELECT 1")
            ok = True
        except Exception:  # any database failure means "not healthy"
            pass
        finally:
            connection.close()
            _one_check.release()
        # Only now: a probe right after this one must find the check free,
        # not still closing its connection (it would get a false 503).
        if ok:
            answered.set()

    threading.Thread(target=check, name="healthz", daemon=True).start()
    return answered.wait(timeout)


@require_safe
def healthz(request):
    """Liveness: 200 when the database answers in time, 503 (with Retry-After) when not."""
    if database_answers(settings.HEALTHZ_TIMEOUT):
        return HttpResponse("ok\n", content_type="text/plain")
    response = HttpResponse("database unavailable\n", status=503, content_type="text/plain")
    response["Retry-After"] = "10"
    response["Cache-Control"] = "no-store"
    return response
