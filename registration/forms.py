"""The registration form and the forms of the private page.

Labels, hints and autocomplete tokens follow the GOV.UK patterns; Django adds
``aria-describedby`` (hint and error) and ``aria-invalid`` by itself. Lengths
are bounded here so that oversized input is a form error, never a database
error; CharField's validators already refuse NUL bytes.
"""

from django import forms
from django.conf import settings
from django.utils.functional import cached_property, lazy
from django.utils.translation import get_language
from django.utils.translation import gettext_lazy as _
from django_countries import countries

from forum_site.languages import local_name
from forum_site.widgets import LongSelect
from registration import seats
from registration.models import Sector, validate_no_comma
from registration.programme import parallel_slots, slot_label
from registration.services import Details


def language_choices(codes=None):
    """(code, name in that language) for the site's languages, or for ``codes``."""
    codes = codes or [code for code, _name in settings.LANGUAGES]
    return [(code, local_name(code)) for code in codes]


def channel_choices(event):
    """The interpretation channels: the event's languages (English and Japanese by default)."""
    known = {code for code, _name in settings.LANGUAGES}
    codes = [code for code in event.language_codes if code in known] or ["en", "ja"]
    return [(code, local_name(code)) for code in codes]


class LanguageRadioSelect(forms.RadioSelect):
    """Radio buttons naming languages, each label marked as written in its own language."""

    labels_in_their_language = True


class SlotFieldsMixin:
    """One required radio group per parallel slot, named ``slot_<UTC start>``."""

    def add_slot_fields(self, event, current=None):
        self.slots = parallel_slots(event)
        self.slot_fields = []
        current_ids = {session.pk for session in (current or [])}
        zones = event.display_zones
        for slot in self.slots:
            name = f"slot_{slot.key}"
            initial = next((s.pk for s in slot.sessions if s.pk in current_ids), None)
            self.fields[name] = forms.TypedChoiceField(
                label=slot_label(slot, zones),
                choices=[(s.pk, _lazy_session_label(self, s, s.pk in current_ids))
                         for s in slot.sessions],
                coerce=int,
                widget=forms.RadioSelect,
                initial=initial,
                help_text=_("Choose one. A full session puts you on its waiting list."),
                error_messages={
                    "required": _("Choose one of the sessions running at this time."),
                    "invalid_choice": _("Choose one of the sessions listed."),
                },
            )
            self.slot_fields.append(name)

    def clean_slots(self):
        """The chosen sessions, one per slot; two values for one slot is an error."""
        chosen = []
        by_pk = {s.pk: s for slot in self.slots for s in slot.sessions}
        for name in self.slot_fields:
            getlist = getattr(self.data, "getlist", None)
            if getlist is not None and len(getlist(name)) > 1:
                self.add_error(name, _("Choose only one of the sessions running at this time."))
                continue
            value = self.cleaned_data.get(name)
            if value is not None:
                chosen.append(by_pk[value])
        return chosen

    def slot_bound_fields(self):
        return [self[name] for name in self.slot_fields]

    @cached_property
    def full_session_ids(self) -> set[int]:
        """The parallel sessions with no seat left, counted when a label is first shown."""
        return seats.full_sessions([s for slot in self.slots for s in slot.sessions])


def _session_label(form, session, is_current):
    title = session.title
    if not is_current and session.pk in form.full_session_ids:
        return _("%(title)s — full: you would join its waiting list") % {"title": title}
    return title


# Lazy, so that seats are counted only if the form is shown again: a valid
# submission never is, and its count grew with every seat taken.
_lazy_session_label = lazy(_session_label, str)


class RegistrationForm(SlotFieldsMixin, forms.Form):
    """Everything a person gives to register for one event."""

    full_name = forms.CharField(
        label=_("Full name"),
        max_length=200,
        help_text=_("As you would like it written, in any script."),
        widget=forms.TextInput(attrs={"autocomplete": "name", "spellcheck": "false"}),
    )
    email = forms.EmailField(
        label=_("Email address"),
        max_length=254,
        validators=[validate_no_comma],
        help_text=_("We will send you a link to confirm your registration."),
        widget=forms.EmailInput(attrs={"autocomplete": "email", "spellcheck": "false"}),
    )
    organisation = forms.CharField(
        label=_("Organisation"),
        max_length=200,
        help_text=_("For example the city, ministry, company or university you work for."),
        widget=forms.TextInput(attrs={"autocomplete": "organization"}),
    )
    position = forms.CharField(
        label=_("Position (optional)"),
        max_length=200,
        required=False,
        widget=forms.TextInput(attrs={"autocomplete": "organization-title"}),
    )
    country = forms.ChoiceField(
        label=_("Country"),
        help_text=_("The country you work in."),
        widget=LongSelect(attrs={"autocomplete": "country"}),
    )
    sector = forms.ChoiceField(
        label=_("Sector"),
        choices=Sector.choices,
        widget=forms.RadioSelect,
        error_messages={"required": _("Choose the sector you work in.")},
    )
    language = forms.ChoiceField(
        label=_("Language for emails"),
        widget=LanguageRadioSelect,
        error_messages={"required": _("Choose the language of the emails we send you.")},
    )
    privacy_consent = forms.BooleanField(
        label=_("I have read the privacy notice and agree that my details are used as it says."),
        error_messages={
            "required": _("You must accept the privacy notice to register."),
        },
    )
    future_contact = forms.BooleanField(
        label=_("You may contact me about future events (optional)."),
        required=False,
    )
    # Honeypot: hidden from people (see the template), filled in by bots.
    homepage = forms.CharField(
        label=_("Leave this field empty"),
        required=False,
        max_length=200,
        widget=forms.TextInput(attrs={"autocomplete": "off", "tabindex": "-1"}),
    )

    def __init__(self, event, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.event = event
        self.fields["country"].choices = [("", _("Choose your country"))] + list(countries)
        self.fields["language"].choices = language_choices()
        if not self.is_bound:
            current = get_language()
            self.initial.setdefault(
                "language", current if current in dict(settings.LANGUAGES) else "en"
            )
        if event.has_interpretation:
            self.fields["channel"] = forms.ChoiceField(
                label=_("Listening channel"),
                help_text=_("The language you want to hear the interpretation in."),
                choices=channel_choices(event),
                widget=LanguageRadioSelect,
                error_messages={"required": _("Choose the language you want to listen in.")},
            )
        self.add_slot_fields(event)
        # Consent and honeypot come last in the form, after the slots.
        for name in ("privacy_consent", "future_contact", "homepage"):
            self.fields[name] = self.fields.pop(name)

    @property
    def is_spam(self):
        """True when the honeypot was filled in (only meaningful after is_valid())."""
        return bool(self.cleaned_data.get("homepage"))

    def clean(self):
        cleaned = super().clean()
        cleaned["choices"] = self.clean_slots()
        return cleaned

    def details(self) -> Details:
        data = self.cleaned_data
        return Details(
            full_name=data["full_name"],
            email=data["email"],
            organisation=data["organisation"],
            position=data["position"],
            country=data["country"],
            sector=data["sector"],
            language=data["language"],
            channel=data.get("channel", ""),
            future_contact=data["future_contact"],
            choices=data["choices"],
        )

    def personal_fields(self):
        return [self[name] for name in ("full_name", "email", "organisation", "position",
                                         "country", "sector")]

    def preference_fields(self):
        names = ["language"] + (["channel"] if "channel" in self.fields else [])
        return [self[name] for name in names]


class ChoicesForm(SlotFieldsMixin, forms.Form):
    """The private page's form to change parallel-session choices."""

    def __init__(self, registration, *args, **kwargs):
        super().__init__(*args, **kwargs)
        current = [choice.session for choice in registration.choices.select_related("session")]
        self.add_slot_fields(registration.event, current=current)

    def clean(self):
        cleaned = super().clean()
        cleaned["choices"] = self.clean_slots()
        return cleaned


class PreferencesForm(forms.Form):
    """The private page's form for the email language and the listening channel."""

    language = forms.ChoiceField(label=_("Language for emails"), widget=LanguageRadioSelect)

    def __init__(self, registration, *args, **kwargs):
        kwargs.setdefault(
            "initial", {"language": registration.language, "channel": registration.channel}
        )
        super().__init__(*args, **kwargs)
        self.fields["language"].choices = language_choices()
        if registration.event.has_interpretation:
            self.fields["channel"] = forms.ChoiceField(
                label=_("Listening channel"),
                choices=channel_choices(registration.event),
                widget=LanguageRadioSelect,
            )


class ResendLinkForm(forms.Form):
    """Asks for an address to send fresh links to; the answer never says if it is known."""

    email = forms.EmailField(
        label=_("Email address"),
        max_length=254,
        help_text=_("The address you registered with."),
        widget=forms.EmailInput(attrs={"autocomplete": "email", "spellcheck": "false"}),
    )
    homepage = forms.CharField(
        label=_("Leave this field empty"),
        required=False,
        max_length=200,
        widget=forms.TextInput(attrs={"autocomplete": "off", "tabindex": "-1"}),
    )
