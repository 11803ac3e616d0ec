"""Public pages of the programme. Thin: queries live in agenda/programme.py."""

from django.db import connection
from django.http import HttpResponse


def healthz(request):
    """Liveness: 200 when the database answers, 503 when it does not."""
    try:
        with connection.cursor() as cursor:
            cursor.execute("SELECT 1")
    except Exception:  # any database failure means "not healthy"
        return HttpResponse("database unavailable\n", status=503, content_type="text/plain")
    return HttpResponse("ok\n", content_type="text/plain")


def event_list(request):
    raise NotImplementedError


event_detail = agenda = session_detail = speaker_list = speaker_detail = event_list
