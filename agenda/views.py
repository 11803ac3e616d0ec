"""Public pages of the programme. Thin: reading lives in agenda/programme.py."""


from django.http import Http404, HttpResponseRedirect
from django.shortcuts import redirect
from django.shortcuts import render as render_page
from django.urls import reverse
from django.utils import timezone, translation
from django.utils.cache import add_never_cache_headers
from django.views.decorators.http import require_safe

from agenda import (
    agenda_filters,
    calendar_links,
    event_life,
    kept_programme,
    programme,
    structured_data,
    timezones,
    zone_links,
)
from forum_site import pagecache
from forum_site.errors import error_page


def render(request, template, context, status=None):
    """The page; a draft's (seen by staff only) is never cached and never indexed."""
    event = context.get("event")
    draft = event is not None and not event.published
    noindex = draft or context.get("noindex", False)
    response = render_page(request, template, {**context, "noindex": noindex}, status=status)
    if draft:
        add_never_cache_headers(response)
        response["X-Robots-Tag"] = "noindex, nofollow"
    return response


def _read_event(request, slug):
    """The event (404 if the visitor may not see it) and its programme, read once per page."""
    return kept_programme.event_and_programme(slug, request.user)


def _zone_context(request, event, loaded):
    """Zones, the zone picker and where the event stands: what every event page shows."""
    viewer = timezones.viewer_zone_from_request(request)
    zones = programme.zones_for(event, viewer.name)
    life = programme.life_of(event, loaded)
    return viewer, {
        "viewer_zone": viewer.name,
        "rejected_zone": viewer.rejected,
        "zone_choices": timezones.picker_choices(programme.zones_for(event, None), viewer.name),
        "zone_picker_url": zone_links.picker_url(event, zone_links.without_zone(request)),
        "zones": zones,
        "life": life,
        "standing": programme.standing(life, zones, viewer.name),
    }


def _event_page(request, template, context, status=None):
    """Render an event page; its cached copy lasts only until the event's next change of state.

    ``?tz=more`` is the picker's "More time zones…" sent without JavaScript:
    it leads to the full list of zones, which comes back here with a zone.
    """
    if request.GET.get("tz") == timezones.MORE_ZONES:
        return redirect(context["zone_picker_url"])
    response = render(request, template, context, status=status)
    pagecache.expire_at(response, context["life"].next_boundary)
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
    return pagecache.expire_at(
        response, event_life.soonest_boundary(event.life for event in upcoming + past)
    )


def event_detail(request, event):
    event, loaded = _read_event(request, event)
    viewer, context = _zone_context(request, event, loaded)
    links = programme.organisation_links(event)
    context.update(
        event=event,
        period=programme.event_period(loaded, context["zones"]),
        organisations=programme.organisations_by_role(links),
        json_ld=structured_data.event_data(context["life"], request, links),
    )
    return _event_page(request, "agenda/event_detail.html", context)


def agenda(request, event, day=None):
    """The programme: all of it, one day of a big one, or the sessions that match the filters."""
    event, loaded = _read_event(request, event)  # where it stands, and the agenda
    viewer, context = _zone_context(request, event, loaded)
    try:
        page = agenda_filters.agenda_page(event, loaded, context["life"], viewer.name,
                                          request.GET, day)
    except agenda_filters.UnknownDay as unknown:
        return error_page(request, 404, detail=unknown.message)
    if page.redirect_url:
        return redirect(page.redirect_url)
    programme.mark_now(page.days, context["life"])
    context.update(event=event, days=page.days, agenda_page=page)
    return _event_page(request, "agenda/agenda.html", context, status=page.status)


def session_detail(request, event, session):
    event, loaded = _read_event(request, event)  # where it stands, and the session
    session = loaded.session(session)
    viewer, context = _zone_context(request, event, loaded)
    context.update(
        event=event,
        session=session,
        times=programme.time_ranges(
            session.start, session.end, context["zones"], session.day.date, viewer.name
        ),
        alternatives=loaded.parallel_to(session) if session.is_parallel else [],
        json_ld=structured_data.session_data(
            session, context["life"], request, programme.organisation_links(event)
        ),
    )
    return _event_page(request, "agenda/session_detail.html", context)


def changes(request, event):
    """The public changelog: moves, cancellations and restorations, newest first."""
    event, loaded = _read_event(request, event)
    viewer, context = _zone_context(request, event, loaded)
    context.update(event=event, entries=programme.load_changes(event, viewer.name))
    return _event_page(request, "agenda/changes.html", context)


def speaker_list(request, event):
    event, loaded = _read_event(request, event)
    viewer, context = _zone_context(request, event, loaded)
    context.update(event=event, speakers=programme.event_speakers(event),
                   other_participants=programme.other_participants(event))
    return _event_page(request, "agenda/speaker_list.html", context)


def speaker_detail(request, event, speaker):
    event, loaded = _read_event(request, event)
    speaker = programme.get_speaker(event, speaker)
    viewer, context = _zone_context(request, event, loaded)
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


# The full zone picker ------------------------------------------------------------

def zone_picker(request, event, region=None):
    """Every time zone, by region: the inline picker's "More time zones…", without JavaScript.

    ``/zones/`` lists the regions, ``/zones/<region>/`` the cities of one;
    each city links back to the page the visitor came from (``?next=``, one
    of this event's pages, else its agenda) with ``?tz=<zone>``, which shows
    and remembers the zone there. An unknown region answers 404 with the
    list of regions.
    """
    event, loaded = _read_event(request, event)
    back = zone_links.return_path(request, event)
    found = timezones.picker_region(region) if region is not None else None
    context = {
        "event": event,
        "life": programme.life_of(event, loaded),
        "noindex": True,  # a list of links to the event's pages, not a page of its own
        "viewer_zone": timezones.viewer_zone_from_request(request).name,
        "back_url": back,
        "clear_url": zone_links.with_zone(back, ""),
        "regions_url": zone_links.picker_url(event, back),
        "unknown_region": region[:timezones.MAX_ZONE_NAME_LENGTH] if region and not found else None,
    }
    if found is None:
        next_query = zone_links.next_query(event, back)
        context["regions"] = [
            (item, reverse("agenda:zone_region", args=[event.slug, item.slug]) + next_query)
            for item in timezones.picker_regions()
        ]
        template = "agenda/zone_picker.html"
    else:
        instant = programme.event_start(event) or timezone.now()
        context["region"] = found
        context["cities"] = [
            (zone, timezones.city_and_abbreviation(zone, instant), zone_links.with_zone(back, zone))
            for zone, _city in found.cities
        ]
        template = "agenda/zone_picker_region.html"
    status = 404 if context["unknown_region"] else None
    response = render(request, template, context, status=status)
    return pagecache.expire_at(response, context["life"].next_boundary)


@require_safe
def add_to_calendar(request, event, session, service):
    """302 to a web calendar's "new event" form for one session, built when it is followed.

    The agenda links here (``…/add/google``, ``outlook``, ``office365``)
    instead of carrying three long links per session. Drafts are 404 for the
    public, as their session pages are. The target follows every edit, so the
    redirect is never cached, and never indexed: it is not a page.
    """
    if service not in calendar_links.WEB_CALENDARS:
        raise Http404("No such calendar service")
    event = programme.get_event(event, request.user)
    session = programme.get_session(event, session)
    target = calendar_links.web_calendar_urls(session, translation.get_language())[service]
    response = HttpResponseRedirect(target)
    add_never_cache_headers(response)
    response["X-Robots-Tag"] = "noindex, nofollow"
    return response
