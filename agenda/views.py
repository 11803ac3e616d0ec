"""Public pages of the programme. Thin: reading lives in agenda/programme.py."""

from django.conf import settings
from django.http import HttpResponse
from django.shortcuts import redirect
from django.shortcuts import render as render_page
from django.utils.cache import add_never_cache_headers

from agenda import agenda_filters, caching, event_life, programme, structured_data, timezones
from forum_site.errors import error_page
from forum_site.site_url import site_url


def robots_txt(request):
    """Crawlers: everything public, nothing under a private link, and where the sitemap is.

    The admin is not named here: its address is configurable so as not to be
    advertised, and it is behind a login anyway.
    """
    lines = ["User-agent: *"]
    lines += [f"Disallow: /{code}/registration/" for code, _name in settings.LANGUAGES]
    lines += ["Disallow: /registration/", "", f"Sitemap: {site_url()}/sitemap.xml", ""]
    return HttpResponse("\n".join(lines), content_type="text/plain; charset=utf-8")


def render(request, template, context):
    """The page; a draft's (seen by staff only) is never cached and never indexed."""
    event = context.get("event")
    draft = event is not None and not event.published
    response = render_page(request, template, {**context, "noindex": draft})
    if draft:
        add_never_cache_headers(response)
        response["X-Robots-Tag"] = "noindex, nofollow"
    return response


def _zone_context(request, event):
    """Zones, the zone picker and where the event stands: what every event page shows."""
    viewer = timezones.viewer_zone_from_request(request)
    zones = programme.zones_for(event, viewer.name)
    life = programme.load_life(event)
    return viewer, {
        "viewer_zone": viewer.name,
        "rejected_zone": viewer.rejected,
        "zone_choices": timezones.picker_choices(event.display_zones),
        "zones": zones,
        "life": life,
        "standing": programme.standing(life, zones, viewer.name),
    }


def _event_page(request, template, context):
    """Render an event page; its cached copy lasts only until the event's next change of state."""
    response = render(request, template, context)
    caching.expire_at(response, context["life"].next_boundary)
    return _remember_zone(request, response)


def _remember_zone(request, response):
    """Keep the viewer's ``?tz=`` choice in a cookie; an empty ``?tz=`` clears it."""
    if "tz" not in request.GET:
        return response
    raw = request.GET.get("tz", "").strip()
    if timezones.is_valid_zone(raw):
        response.set_cookie(
            timezones.VIEWER_ZONE_COOKIE, raw, max_age=365 * 24 * 3600, samesite="Lax",
            secure=request.is_secure(), httponly=True,
        )
    elif not raw:
        response.delete_cookie(timezones.VIEWER_ZONE_COOKIE, samesite="Lax")
    return response


def event_list(request):
    upcoming, past = programme.events_upcoming_first()
    response = render(request, "agenda/event_list.html", {"upcoming": upcoming, "past": past})
    return caching.expire_at(
        response, event_life.soonest_boundary(event.life for event in upcoming + past)
    )


def event_detail(request, event):
    event = programme.get_event(event, request.user)
    viewer, context = _zone_context(request, event)
    links = programme.organisation_links(event)
    context.update(
        event=event,
        period=programme.event_period(event, context["zones"]),
        organisations=programme.organisations_by_role(links),
        json_ld=structured_data.event_data(context["life"], request, links),
    )
    return _event_page(request, "agenda/event_detail.html", context)


def agenda(request, event, day=None):
    """The programme: all of it, one day of a big one, or the sessions that match the filters."""
    event = programme.get_event(event, request.user)
    viewer, context = _zone_context(request, event)
    try:
        page = agenda_filters.agenda_page(event, context["life"], viewer.name, request.GET, day)
    except agenda_filters.UnknownDay as unknown:
        return error_page(request, 404, detail=unknown.message)
    if page.redirect_url:
        return redirect(page.redirect_url)
    programme.mark_now(page.days, context["life"])
    context.update(event=event, days=page.days, agenda_page=page)
    response = _event_page(request, "agenda/agenda.html", context)
    response.status_code = page.status
    return response


def session_detail(request, event, session):
    event = programme.get_event(event, request.user)
    session = programme.get_session(event, session)
    viewer, context = _zone_context(request, event)
    context.update(
        event=event,
        session=session,
        times=programme.time_ranges(
            session.start, session.end, context["zones"], session.day.date, viewer.name
        ),
        alternatives=programme.parallel_alternatives(session) if session.is_parallel else [],
        json_ld=structured_data.session_data(
            session, context["life"], request, programme.organisation_links(event)
        ),
    )
    return _event_page(request, "agenda/session_detail.html", context)


def changes(request, event):
    """The public changelog: moves, cancellations and restorations, newest first."""
    event = programme.get_event(event, request.user)
    viewer, context = _zone_context(request, event)
    context.update(event=event, entries=programme.load_changes(event, viewer.name))
    return _event_page(request, "agenda/changes.html", context)


def speaker_list(request, event):
    event = programme.get_event(event, request.user)
    viewer, context = _zone_context(request, event)
    context.update(event=event, speakers=programme.event_speakers(event),
                   other_participants=programme.other_participants(event))
    return _event_page(request, "agenda/speaker_list.html", context)


def speaker_detail(request, event, speaker):
    event = programme.get_event(event, request.user)
    speaker = programme.get_speaker(event, speaker)
    viewer, context = _zone_context(request, event)
    appearances = []
    for role in speaker.session_roles.all():
        session = role.session
        session.event = event
        appearances.append(
            (role, session, programme.time_ranges(
                session.start, session.end, context["zones"], session.day.date, viewer.name))
        )
    context.update(event=event, speaker=speaker, appearances=appearances)
    return _event_page(request, "agenda/speaker_detail.html", context)
