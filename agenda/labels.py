"""Texts joined from several fields: speaker lines, organisations, language lists.

Each join is a whole translatable format string (or a per-language list
separator), never English punctuation around translated pieces, so that a
translator can order and punctuate it: ``山口壯 環境大臣（登壇者）``,
``環境省（MOEJ）``, ``日本語・英語（同時通訳）``.

Every function returns plain text, or safe HTML with ``html=True`` (the
pieces escaped, links kept), from the same format string. Imports no app
module: the pieces come from the caller's objects.
"""

from django.utils.html import conditional_escape, format_html
from django.utils.safestring import mark_safe
from django.utils.translation import get_language_info, pgettext


def fill(template: str, *, html: bool = False, **values) -> str:
    """``template % values``; with ``html``, the values escaped (safe HTML kept as it is).

    ``template`` is a translated format string, trusted like a template.
    """
    if not html:
        return template % values
    return mark_safe(template % {name: conditional_escape(value)
                                 for name, value in values.items()})


def join(items, *, html: bool = False) -> str:
    """Items of an enumeration joined the way the language lists them (``、`` in Japanese)."""
    separator = pgettext("separator between items of a list", ", ")
    items = [conditional_escape(item) if html else str(item) for item in items]
    joined = separator.join(items)
    return mark_safe(joined) if html else joined


def organisation_name(organisation, *, html: bool = False, link: bool = False) -> str:
    """``環境省（MOEJ）``: the name, with the acronym when the name does not already hold it.

    With ``link`` (and ``html``), the name links to the organisation's website.
    """
    name, acronym = organisation.name or "", organisation.short_name or ""
    if html and link and getattr(organisation, "website", ""):
        name = format_html('<a href="{}">{}</a>', organisation.website, name)
    if not acronym or acronym in (organisation.name or ""):
        return conditional_escape(name) if html else name
    return fill(pgettext("organisation name and its acronym", "%(name)s (%(acronym)s)"),
                html=html, name=name, acronym=acronym)


def affiliation(speaker) -> str:
    """A speaker's position and organisation, or the one of them there is.

    Organisers leave a speaker's organisation empty when the position already
    names it ("Minister of the Environment, Japan"), so it is never repeated.
    """
    position = speaker.position or ""
    organisation = speaker.organisation.name if speaker.organisation_id else ""
    if position and organisation:
        return pgettext("a speaker's position and organisation",
                        "%(position)s, %(organisation)s") % {
            "position": position, "organisation": organisation}
    return position or organisation


def speaker_line(session_speaker, *, name_html: str | None = None, html: bool = False) -> str:
    """``YAMAGUCHI Tsuyoshi, Minister of the Environment, Japan (Speaker)``.

    ``name_html`` replaces the name (a link to the speaker's page) in HTML.
    """
    speaker = session_speaker.speaker
    name = name_html if (html and name_html is not None) else speaker.name
    position = affiliation(speaker)
    if position:
        person = fill(pgettext("a speaker's name and position", "%(name)s, %(position)s"),
                      html=html, name=name, position=position)
    else:
        person = conditional_escape(name) if html else name
    return fill(pgettext("a speaker and their role in a session", "%(person)s (%(role)s)"),
                html=html, person=person, role=session_speaker.get_role_display())


def language_names(codes, *, interpretation: bool = False) -> str:
    """``日本語・英語（同時通訳）``: the event's languages in order, in the reader's language."""
    names = [_language_name(code) for code in codes]
    listed = pgettext("separator between the languages of an event", " / ").join(names)
    if not interpretation:
        return listed
    return pgettext("the event's languages, with simultaneous interpretation",
                    "%(languages)s (simultaneous interpretation)") % {"languages": listed}


def _language_name(code: str) -> str:
    try:
        return str(get_language_info(code)["name_translated"])
    except KeyError:  # a code Django does not know: shown as typed
        return code
