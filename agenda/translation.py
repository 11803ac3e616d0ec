"""Which content fields are stored once per language (django-modeltranslation)."""

from modeltranslation.translator import TranslationOptions, register

from agenda.models import Day, Event, Organisation, Session, Speaker


@register(Organisation)
class OrganisationTranslation(TranslationOptions):
    fields = ("name", "short_name")
    required_languages = {"en": ("name",)}


@register(Event)
class EventTranslation(TranslationOptions):
    fields = ("name", "tagline", "description", "aims", "venue")
    required_languages = {"en": ("name",)}


@register(Day)
class DayTranslation(TranslationOptions):
    fields = ("label",)


@register(Session)
class SessionTranslation(TranslationOptions):
    fields = ("title", "description", "track", "other_participants")
    required_languages = {"en": ("title",)}


@register(Speaker)
class SpeakerTranslation(TranslationOptions):
    fields = ("name", "position", "bio")
    required_languages = {"en": ("name",)}
