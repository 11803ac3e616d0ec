"""Each session's block on the agenda, rendered once per language and programme generation.

The agenda is rendered afresh for every language, viewer zone, and change of
"now" (forum_site/pagecache keeps one page per each); a session's block (track,
title, kind, speakers, "Add to calendar") depends on none of the zones and on
no request. So it is kept in the shared cache, read for a whole day in one
round trip, and rendered only when missing.

Never stale: an entry remembers the event's page-cache generation, which any
saved change to what the agenda shows renews (agenda/signals.py), and is used
only while that is still the generation. The key also holds the session's
``updated_at``, the language and the code release. The block holds no host
(its links are site-relative), so it is the same on every address the site
answers on. With the cache down, blocks are rendered and nothing is stored.
"""

import logging

from django.conf import settings
from django.core.cache import cache
from django.db.models import prefetch_related_objects
from django.template.loader import get_template
from django.utils import translation
from django.utils.safestring import mark_safe

from agenda.programme import speakers_prefetch

# The page cache's generations; the card keys share its prefix and release.
from forum_site.pagecache import generations
from forum_site.pagecache.policy import KEY_PREFIX, release

logger = logging.getLogger(__name__)

TEMPLATE = "agenda/_session_card.html"


def _key(session, language: str) -> str:
    return (f"{KEY_PREFIX}card:{release()}:{session.pk}:{session.updated_at.isoformat()}:"
            f"{language}")


def session_cards(event, sessions) -> dict[int, str]:
    """The HTML block of each of ``sessions`` (of ``event``) by key, in the active language."""
    language = translation.get_language()
    scope_key = generations.generation_key(generations.event_scope(event.slug))
    keys = {session.pk: _key(session, language) for session in sessions}
    try:
        found = generations.read([scope_key], keys.values())
        generation = generations.current(found, [scope_key])[0]
    except Exception:  # the cache is down: render every block, keep none
        logger.warning("cache unavailable; agenda blocks rendered afresh", exc_info=True)
        found, generation = {}, None
    cards = {}
    for session in sessions:
        entry = found.get(keys[session.pk])
        if generation is not None and entry is not None and entry[0] == generation:
            cards[session.pk] = mark_safe(entry[1])  # stored from a rendered template
    missing = [session for session in sessions if session.pk not in cards]
    if not missing:
        return cards
    prefetch_related_objects(missing, speakers_prefetch())  # one query for all of them
    template = get_template(TEMPLATE)
    rendered = {}
    for session in missing:
        html = template.render({"session": session, "event": event})
        cards[session.pk] = html
        rendered[keys[session.pk]] = (generation, str(html))
    if rendered and generation is not None:
        try:
            cache.set_many(rendered, timeout=settings.PAGE_CACHE_TIMEOUT)
        except Exception:  # not kept this time; the page itself is fine
            logger.warning("cache unavailable; agenda blocks not stored", exc_info=True)
    return cards
