"""Warnings about a session that organisers may still mean: shown before saving, not refused.

A session outside its day (an evening reception past midnight) or a speaker
in two sessions at once (a recorded message, a co-chair who steps out) can be
intended, so the admin warns and saves once the organiser confirms. Two
sessions on one track at once cannot be meant: ``Session.clean`` refuses that.
"""

from django.utils.translation import gettext as _

from agenda.models import Session, SessionSpeaker


def outside_day(day, start, end) -> str | None:
    """The warning for a session from ``start`` to ``end`` not within ``day``, else None."""
    if day is None or start is None or end is None:
        return None
    day_start, day_end = day.bounds()
    if day_start <= start and end <= day_end:
        return None
    return _("This session lies outside %(day)s (%(date)s in %(zone)s).") % {
        "day": day.display_label,
        "date": day.date.isoformat(),
        "zone": day.event.reference_timezone,
    }


def speaker_clashes(speakers, start, end, *, exclude_session=None) -> list[str]:
    """A warning per speaker of ``speakers`` who is in another session overlapping start–end.

    Cancelled sessions do not count; sessions of every event do (a person is
    in one place at a time).
    """
    if not speakers or start is None or end is None:
        return []
    others = (
        SessionSpeaker.objects.filter(
            speaker__in=speakers, session__start__lt=end, session__end__gt=start
        )
        .exclude(session__status=Session.Status.CANCELLED)
        .select_related("speaker", "session")
        .order_by("speaker__name", "session__start")
    )
    if exclude_session is not None and exclude_session.pk is not None:
        others = others.exclude(session=exclude_session)
    warnings = []
    seen = set()
    for link in others:
        key = (link.speaker_id, link.session_id)
        if key in seen:
            continue
        seen.add(key)
        warnings.append(
            _("%(speaker)s also speaks at “%(session)s” at this time.")
            % {"speaker": link.speaker.name, "session": link.session.title}
        )
    return warnings


def confirm_hint() -> str:
    return _("If this is intended, tick “Save despite the warnings” and save again.")
