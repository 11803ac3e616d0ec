"""Organisers edit the programme here; every language of a field sits side by side."""

import copy
import datetime

from django.contrib import admin
from django.db import models
from django.urls import reverse
from django.utils import timezone
from django.utils.html import format_html
from django.utils.translation import gettext_lazy as _
from modeltranslation.admin import TranslationAdmin, TranslationTabularInline

from agenda.models import (
    Day,
    Event,
    EventOrganisation,
    Organisation,
    Session,
    SessionSpeaker,
    Speaker,
)

# Organisers paste addresses such as "youtube.com/live/…"; assume HTTPS for them.
HTTPS_URLS = {models.URLField: {"assume_scheme": "https"}}


class EventOrganisationInline(admin.TabularInline):
    model = EventOrganisation
    extra = 0
    autocomplete_fields = ["organisation"]
    ordering = ["order", "id"]


class DayInline(TranslationTabularInline):
    model = Day
    extra = 0
    ordering = ["number"]


@admin.register(Event)
class EventAdmin(TranslationAdmin):
    formfield_overrides = HTTPS_URLS
    list_display = ["name", "slug", "format", "reference_timezone", "registration_open"]
    list_filter = ["format", "registration_open"]
    search_fields = ["slug", "name_en", "name_ja", "name_vi"]
    prepopulated_fields = {"slug": ["name_en"]}
    inlines = [EventOrganisationInline, DayInline]
    fieldsets = [
        (None, {"fields": ["slug", "name", "tagline", "format", "venue"]}),
        (_("About"), {"fields": ["description", "aims"]}),
        (_("Time zones"), {"fields": ["reference_timezone", "display_timezones"]}),
        (
            _("Attending"),
            {
                "fields": [
                    "livestream_platform", "livestream_url", "languages", "has_interpretation",
                    "contact_email",
                ]
            },
        ),
        (_("Registration"), {"fields": ["registration_open", "capacity"]}),
    ]

    def get_list_display(self, request):
        # The dashboard summarises registrations: offered to whoever may view them
        # (the change form's link is in templates/admin/agenda/event/change_form.html).
        if request.user.has_perm("registration.view_registration"):
            return [*self.list_display, "dashboard_link"]
        return self.list_display

    @admin.display(description=_("registrations"))
    def dashboard_link(self, obj):
        return format_html(
            '<a href="{}">{}</a>',
            reverse("admin:registration_registration_dashboard", args=[obj.pk]),
            _("Dashboard"),
        )


@admin.register(Organisation)
class OrganisationAdmin(TranslationAdmin):
    formfield_overrides = HTTPS_URLS
    list_display = ["name", "short_name", "slug"]
    search_fields = ["slug", "name_en", "name_ja", "name_vi", "short_name_en"]
    prepopulated_fields = {"slug": ["name_en"]}


@admin.register(Day)
class DayAdmin(TranslationAdmin):
    list_display = ["event", "number", "date", "label"]
    list_filter = ["event"]
    ordering = ["event", "number"]


class SessionSpeakerInline(admin.TabularInline):
    model = SessionSpeaker
    extra = 1
    autocomplete_fields = ["speaker"]
    ordering = ["order", "id"]


@admin.register(Session)
class SessionAdmin(TranslationAdmin):
    formfield_overrides = HTTPS_URLS
    list_display = ["title", "event", "day", "start", "end", "kind", "track", "status", "sequence"]
    list_filter = ["event", "day", "kind", "status"]
    list_select_related = ["event", "day"]
    search_fields = ["slug", "title_en", "title_ja", "title_vi", "track_en"]
    ordering = ["start", "track"]
    date_hierarchy = "start"
    prepopulated_fields = {"slug": ["title_en"]}
    readonly_fields = ["uuid", "sequence", "updated_at"]
    inlines = [SessionSpeakerInline]
    fieldsets = [
        (None, {"fields": ["event", "day", "slug", "kind", "title", "description"]}),
        (
            _("When and where"),
            {"fields": ["start", "end", "track", "livestream_url", "status", "capacity"]},
        ),
        (_("Calendar identity"), {"fields": ["uuid", "sequence", "updated_at"]}),
    ]

    def _editing_zone(self, request, object_id):
        """The zone an organiser types times in: the event's reference zone.

        For a new session the event comes from the submitted form (or
        ``?event=`` on the add link); without one, UTC.
        """
        event = None
        if object_id:
            session = Session.objects.select_related("event").filter(pk=object_id).first()
            event = session.event if session else None
        else:
            event_id = request.POST.get("event") or request.GET.get("event")
            if event_id and str(event_id).isdigit():
                event = Event.objects.filter(pk=event_id).first()
        return event.reference_zone if event else datetime.UTC

    def changeform_view(self, request, object_id=None, form_url="", extra_context=None):
        # Organisers think in the event's own zone (20:00 EST), so the form
        # shows and reads times there; the database still stores UTC.
        zone = self._editing_zone(request, object_id)
        extra_context = {**(extra_context or {}), "editing_zone": str(zone)}
        with timezone.override(zone):
            response = super().changeform_view(request, object_id, form_url, extra_context)
            if hasattr(response, "render"):
                response.render()  # widgets must print their values in that zone too
            return response

    def get_fieldsets(self, request, obj=None):
        fieldsets = copy.deepcopy(super().get_fieldsets(request, obj))
        if obj is not None:
            description = _(
                "Start and end are in %(zone)s. The public pages show them in every display zone."
            ) % {"zone": obj.event.reference_timezone}
        else:
            description = _(
                "Start and end are in the event's reference time zone (for example "
                "America/New_York for the forum). The public pages show them in every zone."
            )
        fieldsets[1][1]["description"] = description
        return fieldsets


@admin.register(Speaker)
class SpeakerAdmin(TranslationAdmin):
    list_display = ["name", "position", "organisation", "slug"]
    list_select_related = ["organisation"]
    search_fields = ["slug", "name_en", "name_ja", "name_vi", "position_en"]
    list_filter = ["organisation"]
    prepopulated_fields = {"slug": ["name_en"]}
    autocomplete_fields = ["organisation"]

