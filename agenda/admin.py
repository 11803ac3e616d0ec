"""Organisers edit the programme here; every language of a field sits side by side."""

import base64
import copy
import datetime

from django import forms
from django.contrib import admin, messages
from django.core.exceptions import PermissionDenied, ValidationError
from django.db import models
from django.http import Http404, HttpResponse, HttpResponseRedirect
from django.shortcuts import get_object_or_404
from django.template.response import TemplateResponse
from django.urls import path, reverse
from django.utils import timezone
from django.utils.html import format_html, format_html_join
from django.utils.translation import gettext_lazy as _
from django.utils.translation import ngettext
from modeltranslation.admin import TranslationAdmin, TranslationTabularInline

from agenda import editions, programme_export, programme_import, services, session_checks
from agenda.forms import CopyEditionForm, MoveSessionsForm, ProgrammeFileForm
from agenda.models import (
    Day,
    Event,
    EventOrganisation,
    Organisation,
    Session,
    SessionChange,
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
    # registration/admin.py extends this admin with the registration actions
    # (notify registrants of programme changes), so that agenda/ never
    # depends on registration/.
    formfield_overrides = HTTPS_URLS
    list_display = ["name", "slug", "published", "format", "reference_timezone",
                    "registration_open"]
    list_filter = ["published", "format", "registration_open"]
    actions = ["publish", "unpublish", "copy_as_new_edition"]
    search_fields = ["slug", "name_en", "name_ja", "name_vi"]
    prepopulated_fields = {"slug": ["name_en"]}
    inlines = [EventOrganisationInline, DayInline]
    fieldsets = [
        (None, {"fields": ["slug", "published", "name", "tagline", "format", "venue"]}),
        (_("About"), {"fields": ["description", "aims"]}),
        (_("Time zones"), {"fields": ["reference_timezone", "display_timezones"]}),
        (
            _("Attending"),
            {
                "fields": [
                    "livestream_platform", "livestream_url", "recording_url", "languages",
                    "has_interpretation", "contact_email",
                ]
            },
        ),
        (
            _("Registration"),
            {
                "description": _(
                    "Sign-ups are taken while the switch is on, the window (if any) is open "
                    "and the event has not ended. Window times are in the event's reference "
                    "time zone."
                ),
                "fields": [
                    "registration_open", "registration_opens_at", "registration_closes_at",
                    "capacity",
                ],
            },
        ),
    ]

    def changeform_view(self, request, object_id=None, form_url="", extra_context=None):
        # The registration window is typed and shown in the event's own zone,
        # like session times; the database still stores UTC.
        event = (Event.objects.filter(pk=object_id).first()
                 if object_id and str(object_id).isdigit() else None)
        zone = event.reference_zone if event else datetime.UTC
        with timezone.override(zone):
            response = super().changeform_view(request, object_id, form_url, extra_context)
            if hasattr(response, "render"):
                response.render()
            return response


    def get_urls(self):
        urls = [
            path("<int:event_id>/programme.<str:file_format>",
                 self.admin_site.admin_view(self.export_programme_view),
                 name="agenda_event_export_programme"),
            path("<int:event_id>/import-programme/",
                 self.admin_site.admin_view(self.import_programme_view),
                 name="agenda_event_import_programme"),
        ]
        return urls + super().get_urls()

    def export_programme_view(self, request, event_id, file_format):
        """The programme as CSV, XLSX or schedule.json (agenda/programme_export.py)."""
        if not self.has_view_permission(request):
            raise PermissionDenied
        if file_format not in programme_export.FORMATS:
            raise Http404("No such format")
        event = get_object_or_404(Event, pk=event_id)
        response = HttpResponse(programme_export.export(event, file_format),
                                content_type=programme_export.CONTENT_TYPES[file_format])
        response["Content-Disposition"] = (
            f'attachment; filename="{event.slug}-programme.{file_format}"'
        )
        return response

    def import_programme_view(self, request, event_id):
        """Upload a programme file, see what it would change, then confirm (or not).

        Between the preview and the confirmation the file waits in the
        organiser's session; it is planned again when confirmed, so nothing
        is saved from a stale preview.
        """
        if not (self.has_change_permission(request)
                and request.user.has_perms(["agenda.add_session", "agenda.change_session"])):
            raise PermissionDenied
        event = get_object_or_404(Event, pk=event_id)
        key = f"programme-import-{event.pk}"
        form, plan, problem, status = ProgrammeFileForm(), None, None, 200
        if request.method == "POST" and "confirm" in request.POST:
            stored = request.session.get(key)
            if stored is None:
                problem = _("The file of the preview is gone: upload it again.")
                status = 400
            else:
                content = base64.b64decode(stored)
                try:
                    plan = programme_import.apply_import(event, content,
                                                         changed_by=request.user)
                except programme_import.ImportRefused as refused:
                    plan, status = refused.plan, 400  # the programme changed since
                except programme_import.ImportFileError as error:
                    problem, status = str(error), 400
                else:
                    del request.session[key]
                    self.message_user(
                        request,
                        _("Programme imported: %(created)d created, %(changed)d changed, "
                          "%(unchanged)d left as they were.")
                        % {"created": len(plan.created), "changed": len(plan.changed),
                           "unchanged": len(plan.unchanged)},
                        messages.SUCCESS,
                    )
                    return HttpResponseRedirect(
                        reverse("admin:agenda_event_change", args=[event.pk])
                    )
        elif request.method == "POST":
            form = ProgrammeFileForm(request.POST, request.FILES)
            if form.is_valid():
                content = form.cleaned_data["file"].read()
                try:
                    plan = programme_import.plan_import(event, content)
                except programme_import.ImportFileError as error:
                    problem = str(error)
                else:
                    if not plan.errors:
                        request.session[key] = base64.b64encode(content).decode("ascii")
            if problem or not form.is_valid() or (plan and plan.errors):
                status = 400
        context = {
            **self.admin_site.each_context(request),
            "title": _("Import a programme into “%(event)s”") % {"event": event.name},
            "opts": self.model._meta,
            "original": event,
            "form": form,
            "plan": plan,
            "problem": problem,
            "columns": ", ".join(programme_export.COLUMNS),
        }
        return TemplateResponse(request, "admin/agenda/event/import_programme.html", context,
                                status=status)

    @admin.action(permissions=["change"], description=_("Publish the selected events"))
    def publish(self, request, queryset):
        self._set_published(request, queryset, True)

    @admin.action(permissions=["change"],
                  description=_("Unpublish the selected events (back to draft)"))
    def unpublish(self, request, queryset):
        self._set_published(request, queryset, False)

    def _set_published(self, request, queryset, published):
        count = 0
        for event in queryset.exclude(published=published):
            event.published = published
            event.save(update_fields=["published"])  # signals renew the cached pages
            count += 1
        if published:
            message = ngettext("%(count)d event published.", "%(count)d events published.",
                               count)
        else:
            message = ngettext("%(count)d event is a draft again.",
                               "%(count)d events are drafts again.", count)
        self.message_user(request, message % {"count": count})

    @admin.action(permissions=["add"], description=_("Copy as a new edition…"))
    def copy_as_new_edition(self, request, queryset):
        """Ask for the new slug and first day, then copy (agenda.editions.copy_event)."""
        if queryset.count() != 1:
            self.message_user(request, _("Select exactly one event to copy."), messages.WARNING)
            return None
        source = queryset.get()
        form = CopyEditionForm(request.POST if "apply" in request.POST else None)
        if form.is_valid():
            try:
                copy = editions.copy_event(
                    source, slug=form.cleaned_data["slug"],
                    start_date=form.cleaned_data["start_date"],
                )
            except ValidationError as error:  # taken meanwhile
                form.add_error("slug", error)
            else:
                self.message_user(
                    request,
                    _("“%(name)s” was copied as %(slug)s: a draft with registration closed. "
                      "Check it, then publish it.") % {"name": source.name, "slug": copy.slug},
                    messages.SUCCESS,
                )
                return HttpResponseRedirect(reverse("admin:agenda_event_change", args=[copy.pk]))
        context = {
            **self.admin_site.each_context(request),
            "title": _("Copy “%(name)s” as a new edition") % {"name": source.name},
            "opts": self.model._meta,
            "source": source,
            "form": form,
            "action": "copy_as_new_edition",
            "action_checkbox_name": admin.helpers.ACTION_CHECKBOX_NAME,
        }
        return TemplateResponse(request, "admin/agenda/event/copy_edition.html", context,
                                status=400 if form.is_bound else 200)


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


CONFIRM_FIELD = "save_despite_warnings"


def _confirmed(data) -> bool:
    """Whether the organiser ticked "Save despite the warnings" on this submission."""
    return forms.BooleanField(required=False).to_python(data.get(CONFIRM_FIELD))


class SessionAdminForm(forms.ModelForm):
    """The session form: warns (until confirmed) about a session outside its day."""

    save_despite_warnings = forms.BooleanField(
        label=_("Save despite the warnings"), required=False,
        help_text=_("Tick after checking the warnings (a session outside its day, a speaker "
                    "in two sessions at once) to save anyway."),
    )

    def clean(self):
        cleaned = super().clean()
        day, start, end = cleaned.get("day"), cleaned.get("start"), cleaned.get("end")
        moved = not self.instance.pk or {"day", "start", "end"} & set(self.changed_data)
        if (
            moved and start and end and start < end and day is not None
            and day.event_id == getattr(cleaned.get("event"), "pk", None)
            and cleaned.get("status") != Session.Status.CANCELLED
            and not cleaned.get(CONFIRM_FIELD)
        ):
            warning = session_checks.outside_day(day, start, end)
            if warning:
                self.add_error("start", f"{warning} {session_checks.confirm_hint()}")
        return cleaned


class SessionSpeakerFormSet(forms.BaseInlineFormSet):
    """The session's speakers: warns (until confirmed) about a speaker booked twice at once."""

    def clean(self):
        super().clean()
        session = self.instance
        if (
            any(self.errors) or _confirmed(self.data) or session.start is None
            or session.end is None or session.status == Session.Status.CANCELLED
        ):
            return
        stored = Session.objects.filter(pk=session.pk).values_list("start", "end").first()
        if stored == (session.start, session.end) and not self.has_changed():
            return  # nothing that could create a clash changed: no nagging
        speakers = [
            form.cleaned_data["speaker"] for form in self.forms
            if form.cleaned_data.get("speaker") and not form.cleaned_data.get("DELETE")
        ]
        warnings = session_checks.speaker_clashes(
            speakers, session.start, session.end, exclude_session=session
        )
        if warnings:
            raise forms.ValidationError([*warnings, session_checks.confirm_hint()])


class SessionSpeakerInline(admin.TabularInline):
    model = SessionSpeaker
    formset = SessionSpeakerFormSet
    extra = 1
    autocomplete_fields = ["speaker"]
    ordering = ["order", "id"]


@admin.register(Session)
class SessionAdmin(TranslationAdmin):
    form = SessionAdminForm
    formfield_overrides = HTTPS_URLS
    actions = ["move_by_minutes"]
    list_display = ["title", "event", "day", "start", "end", "kind", "track", "status", "sequence"]
    list_filter = ["event", "day", "kind", "status"]
    list_select_related = ["event", "day"]
    search_fields = ["slug", "title_en", "title_ja", "title_vi", "track_en"]
    ordering = ["start", "track"]
    date_hierarchy = "start"
    prepopulated_fields = {"slug": ["title_en"]}
    readonly_fields = ["uuid", "sequence", "updated_at", "change_history"]
    inlines = [SessionSpeakerInline]
    fieldsets = [
        (None, {"fields": ["event", "day", "slug", "kind", "title", "description",
                           "other_participants"]}),
        (
            _("When and where"),
            {"fields": ["start", "end", "track", "livestream_url", "recording_url", "status",
                        "capacity", CONFIRM_FIELD]},
        ),
        (_("Calendar identity"), {"fields": ["uuid", "sequence", "updated_at"]}),
        (_("Changes"), {"fields": ["change_history"]}),
    ]

    @admin.action(permissions=["change"], description=_("Move the selected sessions by minutes…"))
    def move_by_minutes(self, request, queryset):
        """Ask how many minutes, then move them all (agenda.services.move_sessions)."""
        form = MoveSessionsForm(request.POST if "apply" in request.POST else None)
        sessions = list(queryset.select_related("event", "day").order_by("start", "track"))
        if form.is_valid():
            try:
                changes = services.move_sessions(
                    sessions, form.cleaned_data["minutes"], changed_by=request.user
                )
            except ValidationError as error:
                for message in error.messages:
                    form.add_error(None, message)
            else:
                self.message_user(
                    request,
                    ngettext("%(count)d session moved; the move is recorded for the changelog "
                             "and the registrants.",
                             "%(count)d sessions moved; the moves are recorded for the changelog "
                             "and the registrants.", len(changes)) % {"count": len(changes)},
                    messages.SUCCESS,
                )
                for session in Session.objects.filter(pk__in=[s.pk for s in sessions]):
                    warning = session_checks.outside_day(session.day, session.start, session.end)
                    if warning:
                        self.message_user(request, f"“{session.title}”: {warning}",
                                          messages.WARNING)
                return None
        for session in sessions:
            session.admin_time = _admin_time(session.start, session.end,
                                             session.event.reference_zone)
        context = {
            **self.admin_site.each_context(request),
            "title": _("Move sessions"),
            "opts": self.model._meta,
            "sessions": sessions,
            "form": form,
            "action": "move_by_minutes",
            "action_checkbox_name": admin.helpers.ACTION_CHECKBOX_NAME,
        }
        return TemplateResponse(request, "admin/agenda/session/move_sessions.html", context,
                                status=400 if form.is_bound else 200)

    def save_model(self, request, obj, form, change):
        # Through the service, so that a move, cancellation or restoration is
        # recorded for the changelog and the registrants, with who made it.
        services.save_session(obj, changed_by=request.user)

    @admin.display(description=_("recorded changes"))
    def change_history(self, obj):
        """The session's recorded changes (newest first) and a link to the full list."""
        if obj is None or obj.pk is None:
            return _("None yet: a new session is not a change.")
        changes = list(obj.changes.all()[:10])
        if not changes:
            return _("None: its time and status have not changed since it was created.")
        url = reverse("admin:agenda_sessionchange_changelist") + f"?session__id__exact={obj.pk}"
        items = format_html_join(
            "", "<li>{}: {} → {} ({})</li>",
            (
                (
                    change.get_kind_display(),
                    _admin_time(change.old_start, change.old_end),
                    _admin_time(change.new_start, change.new_end),
                    timezone.localtime(change.changed_at).strftime("%Y-%m-%d %H:%M %Z"),
                )
                for change in changes
            ),
        )
        return format_html('<ul>{}</ul><a href="{}">{}</a>', items, url, _("All changes"))

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



def _admin_time(start, end, zone=None) -> str:
    """``2022-03-09 20:00–20:10 EST`` in ``zone`` (default: the admin page's zone)."""
    start, end = timezone.localtime(start, zone), timezone.localtime(end, zone)
    return f"{start:%Y-%m-%d %H:%M}–{end:%H:%M} {start:%Z}"


@admin.register(SessionChange)
class SessionChangeAdmin(admin.ModelAdmin):
    """The record of moves, cancellations and restorations: read only.

    Records are written by ``agenda.services.save_session`` alone; nobody may
    add, edit or delete one here, so the changelog and the emails to
    registrants can be trusted.
    """

    list_display = ["session", "event", "kind", "before", "after", "changed_at", "changed_by"]
    list_filter = ["session__event", "kind"]
    list_select_related = ["session__event", "changed_by"]
    search_fields = ["session__slug", "session__title_en", "session__title_ja",
                     "session__title_vi"]
    date_hierarchy = "changed_at"
    fields = [
        "session", "kind", "before", "after", "old_status", "new_status", "changed_at",
        "changed_by",
    ]
    readonly_fields = fields

    @admin.display(description=_("event"), ordering="session__event")
    def event(self, obj):
        return obj.session.event

    # Times in the event's reference zone, as organisers enter them.
    @admin.display(description=_("before"), ordering="old_start")
    def before(self, obj):
        return _admin_time(obj.old_start, obj.old_end, obj.session.event.reference_zone)

    @admin.display(description=_("after"), ordering="new_start")
    def after(self, obj):
        return _admin_time(obj.new_start, obj.new_end, obj.session.event.reference_zone)

    def has_add_permission(self, request):
        return False

    def has_change_permission(self, request, obj=None):
        return False

    def has_delete_permission(self, request, obj=None):
        return False
