"""An event and its programme as the public pages read them, kept in this process per generation.

Every page of an event reads the event, its days and its sessions: three
queries that were about a third of an uncached agenda's time
(docs/performance.md). They change only when something is saved, and every
save that changes what an event's pages show gives the event a new page-cache
generation (agenda/signals.py, forum_site/pagecache/generations.py). So the
objects read are kept in this process's memory, pickled, under the event's
slug and that generation; each request unpickles a copy of its own (views
annotate the objects they get, and threads must never share them).

Never stale: the generation is asked of the shared cache on every request,
before the database is read, as the page cache does; a copy is used only while
its generation is the current one, so the next request on any instance after
a save reads the database again. Who may see a draft is checked on every
request, not kept. With the shared cache down, the database is read and
nothing is kept. Only the public pages read through here: sign-ups and other
changes of state read the database themselves.
"""

import logging
import pickle
from dataclasses import dataclass

from django.http import Http404

from agenda import programme
from agenda.models import Event, can_preview_drafts
from forum_site.pagecache import generations
from forum_site.pagecache.local import LocalEntries

logger = logging.getLogger(__name__)


@dataclass(frozen=True)
class _Kept:
    generation: str
    pickled: bytes  # (event, LoadedProgramme)

    @property
    def size(self) -> int:
        return len(self.pickled)


# Up to PAGE_CACHE_LOCAL_BYTES of pickled programmes per process, most recent first.
_kept = LocalEntries()


def _generation(slug: str) -> str | None:
    """The event's current page-cache generation (made if missing), or None if the cache is down."""
    key = generations.generation_key(generations.event_scope(slug))
    try:
        return generations.current(generations.read([key]), [key])[0]
    except Exception:  # the cache is down: read the database, keep nothing
        logger.warning("cache unavailable; programme of %s read afresh", slug, exc_info=True)
        return None


def event_and_programme(slug: str, user=None) -> tuple[Event, programme.LoadedProgramme]:
    """The event with that slug if ``user`` may see it (else 404), and its days and sessions.

    The objects are this request's own; see the module's docstring for when
    they come from the database and when from this process's kept copy.
    """
    generation = _generation(slug)
    kept = _kept.get(slug)
    if generation is not None and kept is not None and kept.generation == generation:
        event, loaded = pickle.loads(kept.pickled)
    else:
        try:
            event = Event.objects.get(slug=slug)
        except Event.DoesNotExist:
            raise Http404("No such event") from None
        loaded = programme.load_programme(event)
        if generation is not None:
            _kept.put(slug, _Kept(generation, pickle.dumps((event, loaded))))
    if not (event.published or can_preview_drafts(user)):
        raise Http404("No such event")
    return event, loaded
