"""Text search of a programme (``?q=`` on the agenda): which sessions a typed query finds.

What is searched
    Each session's title and description and the names of its speakers, in
    every site language (the modeltranslation fields ``title_en``,
    ``title_ja``, ``title_vi``…), whatever the language of the page: a
    visitor reading in English finds a session by its Vietnamese title.

How a query matches
    The query is cut into terms at white space (ideographic spaces too); a
    session matches when **every** term is found in it. A term is found when
    it occurs anywhere, as a substring, case-insensitively: Japanese has no
    spaces between words, so only a substring finds 脱炭素 inside
    都市地区の脱炭素化, and a substring also finds "carbon" in
    "decarbonising". Text is compared in Unicode NFC, so a term typed in
    decomposed form (macOS keyboards give "Điện" as D + combining marks)
    finds the same session as the composed one, even when the organisers'
    text was itself stored decomposed.

On PostgreSQL
    Substrings through ``ILIKE`` over ``normalize(…, NFC)`` of the fields
    (PostgreSQL lowercases every script, Vietnamese capitals included), and
    full-text search on top for English: a term also matches the English
    title or description through the ``english`` configuration's stems, so
    "cities" finds "city". The ``simple`` configuration would add nothing
    to a substring match (it only splits on spaces and lowercases), so it is
    not used. The vector is computed per query: at a few thousand sessions a
    scan costs milliseconds, and no index or migration has to follow the
    translated fields.

Elsewhere (SQLite, the zero-setup database)
    SQLite's ``LIKE`` folds ASCII letters only ("Đ" would not find "đ"), so
    the texts are read in one query and compared in Python, NFC-normalised
    and case-folded: exact for every script, and fast enough for a programme
    (a thousand sessions in a few milliseconds).
"""

import unicodedata

from django.conf import settings
from django.db import connection
from django.db.models import F, Func, Q, TextField, Value
from django.db.models.functions import Concat
from modeltranslation.utils import build_localized_fieldname

#: Longest query taken (characters); the form says so.
MAX_QUERY_LENGTH = 200
#: Terms beyond this many are ignored: each adds work, none adds much precision.
MAX_TERMS = 10

SESSION_FIELDS = ("title", "description")
SPEAKER_FIELDS = ("name",)


def normalise(text: str) -> str:
    """``text`` in NFC and case-folded: the form in which texts are compared."""
    return unicodedata.normalize("NFC", text or "").casefold()


def terms(query: str) -> list[str]:
    """The terms of a typed query, in NFC (case kept: the database folds it on PostgreSQL)."""
    return unicodedata.normalize("NFC", query or "").split()[:MAX_TERMS]


def localised_fields(fields) -> list[str]:
    """Each of ``fields`` in every language of the site (``title_en``, ``title_ja``, …)."""
    return [build_localized_fieldname(name, code) for name in fields
            for code, _label in settings.LANGUAGES]


def uses_database_search() -> bool:
    """Whether the database does the matching (PostgreSQL) or Python does (elsewhere)."""
    return connection.vendor == "postgresql"


class _NFC(Func):
    """``normalize(text, NFC)`` (PostgreSQL 13 and later)."""

    function = "NORMALIZE"
    template = "%(function)s(%(expressions)s, NFC)"
    output_field = TextField()


def _haystack(prefix: str, fields) -> Concat:
    """Every field joined by spaces, in NFC: one text to look for substrings in."""
    parts = []
    for name in localised_fields(fields):
        parts += [_NFC(Func(F(prefix + name), Value(""), function="COALESCE")), Value(" ")]
    return Concat(*parts, output_field=TextField())


def database_filter(sessions, query: str):
    """``sessions`` (a Session queryset) narrowed to those that match ``query`` (PostgreSQL).

    One query whatever the size: the speakers' names are read in a subquery.
    """
    from django.contrib.postgres.search import SearchQuery, SearchVector

    from agenda.models import SessionSpeaker

    english = [build_localized_fieldname(name, "en") for name in SESSION_FIELDS]
    sessions = sessions.annotate(
        search_text=_haystack("", SESSION_FIELDS),
        search_english=SearchVector(*english, config="english"),
    )
    speakers = SessionSpeaker.objects.annotate(
        search_text=_haystack("speaker__", SPEAKER_FIELDS)
    )
    for term in terms(query):
        sessions = sessions.filter(
            Q(search_text__icontains=term)
            | Q(search_english=SearchQuery(term, config="english", search_type="plain"))
            | Q(pk__in=speakers.filter(search_text__icontains=term).values("session_id"))
        )
    return sessions


def python_rows(sessions):
    """What :func:`python_matches` needs of ``sessions``: one row per session and speaker.

    A left join: a session without speakers still has its row, with empty names.
    """
    speaker_fields = ["session_speakers__speaker__" + name
                      for name in localised_fields(SPEAKER_FIELDS)]
    return sessions.values_list("pk", "day_id", *localised_fields(SESSION_FIELDS), *speaker_fields)


def python_matches(rows, query: str) -> list[tuple[int, int]]:
    """The ``(pk, day_id)`` of the rows' sessions that match ``query``, in the rows' order."""
    wanted = [normalise(term) for term in terms(query)]
    texts: dict[tuple[int, int], list[str]] = {}
    for pk, day_id, *fields in rows:
        texts.setdefault((pk, day_id), []).extend(field for field in fields if field)
    found = []
    for key, parts in texts.items():
        haystack = normalise(" ".join(parts))
        if all(term in haystack for term in wanted):
            found.append(key)
    return found
