"""Forms that are not model forms: the agenda's filters, and the organisers' admin actions."""

from dataclasses import dataclass

from django import forms
from django.core.exceptions import ValidationError
from django.utils.translation import gettext_lazy as _
from django.utils.translation import pgettext_lazy

from agenda import editions, programme_import, search


@dataclass
class FilterChoices:
    """What each filter of the agenda offers, as ``(value, label)`` pairs from the event's data."""

    tracks: list[tuple[str, str]]
    kinds: list[tuple[str, str]]
    speakers: list[tuple[str, str]]
    languages: list[tuple[str, str]]


class AgendaFilterForm(forms.Form):
    """The agenda's filters and text search (a GET form; every field may stay empty)."""

    q = forms.CharField(
        label=_("Search"), required=False, max_length=search.MAX_QUERY_LENGTH,
        help_text=_("Words from a title, a description or a speaker’s name, in any language."),
        widget=forms.TextInput(attrs={"type": "search"}),
    )
    track = forms.ChoiceField(
        label=_("Track"), required=False,
        error_messages={"invalid_choice": _("This event has no track “%(value)s”.")},
    )
    kind = forms.ChoiceField(
        label=_("Kind of session"), required=False,
        error_messages={"invalid_choice": _("This event has no sessions of the kind "
                                            "“%(value)s”.")},
    )
    speaker = forms.ChoiceField(
        label=_("Speaker"), required=False,
        error_messages={"invalid_choice": _("No speaker “%(value)s” takes part in this event.")},
    )
    language = forms.ChoiceField(
        label=_("Language"), required=False,
        help_text=_("Sessions whose title is published in this language."),
        error_messages={"invalid_choice": _("No session of this event is published in the "
                                            "language “%(value)s”.")},
    )

    def __init__(self, data=None, *, choices: FilterChoices):
        super().__init__(data)
        every = {
            "track": pgettext_lazy("agenda filter", "All tracks"),
            "kind": pgettext_lazy("agenda filter", "All kinds"),
            "speaker": pgettext_lazy("agenda filter", "All speakers"),
            "language": pgettext_lazy("agenda filter", "All languages"),
        }
        for name, label in every.items():
            self.fields[name].choices = [("", label), *getattr(choices, name + "s")]
        self.choices = choices

    def clean_q(self):
        return " ".join(search.terms(self.cleaned_data["q"]))


class CopyEditionForm(forms.Form):
    """The new edition's slug and first day (the "Copy as a new edition…" action)."""

    slug = forms.CharField(
        label=_("Slug of the new edition"), max_length=80,
        help_text=_("Its address: /events/<slug>/. For example zccf-2023."),
    )
    start_date = forms.DateField(
        label=_("First day"),
        help_text=_("YYYY-MM-DD, in the event's reference time zone. The other days follow "
                    "with the same gaps."),
        widget=forms.DateInput(attrs={"type": "date"}),
    )

    def clean_slug(self):
        slug = self.cleaned_data["slug"].strip()
        editions.validate_new_slug(slug)
        return slug


class MoveSessionsForm(forms.Form):
    """How far to move the selected sessions (the "Move by minutes…" action)."""

    minutes = forms.IntegerField(
        label=_("Minutes"), min_value=-24 * 60, max_value=24 * 60,
        help_text=_("Positive moves later, negative earlier; for example 60 or -30."),
    )

    def clean_minutes(self):
        minutes = self.cleaned_data["minutes"]
        if minutes == 0:
            raise ValidationError(_("Give a number of minutes other than 0."))
        return minutes


class ProgrammeFileForm(forms.Form):
    """The programme file to import (CSV, XLSX or schedule.json)."""

    file = forms.FileField(
        label=_("Programme file"),
        help_text=_("CSV (UTF-8), XLSX or schedule.json, with the columns of an export. "
                    "You will see what changes before anything is saved."),
    )

    def clean_file(self):
        upload = self.cleaned_data["file"]
        if upload.size > programme_import.MAX_BYTES:
            raise ValidationError(
                _("The file is larger than %(size)d MB.")
                % {"size": programme_import.MAX_BYTES // (1024 * 1024)}
            )
        return upload
