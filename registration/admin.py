"""Organisers' view of registrations: lists, filters, seat counts, actions, CSV.

Status and seats are read-only here: the actions call registration/services.py
so that the admin follows the same seat rules (locks, waiting lists, emails)
as the public pages.
"""

from django.conf import settings
from django.contrib import admin, messages
from django.core.exceptions import PermissionDenied
from django.db.models.constants import LOOKUP_SEP
from django.http import Http404
from django.shortcuts import get_object_or_404
from django.template.response import TemplateResponse
from django.urls import path, reverse
from django.utils.html import format_html
from django.utils.safestring import mark_safe
from django.utils.translation import gettext_lazy as _
from django.utils.translation import ngettext
from django_countries.filters import CountryFilter
from post_office.admin import EmailAdmin
from post_office.models import Email

from agenda import admin as agenda_admin
from agenda.models import Event, Session, SessionChange
from registration import dashboard, exports, notices, seats, services, tokens
from registration.models import Registration, ReminderSent, SessionChoice

# Fields of a registration that lead to its private link: never filtered on.
SECRET_FIELDS = {"token_digest", "token_salt", "public_id"}


class SessionFilter(admin.SimpleListFilter):
    """Who chose a given parallel session (any status)."""

    title = _("parallel session")
    parameter_name = "session"

    def lookups(self, request, model_admin):
        sessions = Session.objects.filter(kind=Session.Kind.PARALLEL).select_related("event")
        event_id = request.GET.get("event__id__exact")
        if event_id and event_id.isdigit():
            sessions = sessions.filter(event_id=event_id)
        return [(str(s.pk), f"{s.event.slug}: {s.title}") for s in sessions.order_by("start")]

    def queryset(self, request, queryset):
        value = self.value()
        if value and value.isdigit():
            # A semi-join: joining the choices and then DISTINCT over every
            # column took seconds at 100,000 registrations.
            return queryset.filter(pk__in=SessionChoice.objects.filter(
                session_id=int(value)).values("registration_id"))
        return queryset


class ChannelFilter(admin.SimpleListFilter):
    """The interpretation channel, offered from the site's languages (no scan of the table)."""

    title = _("listening channel")
    parameter_name = "channel"

    def lookups(self, request, model_admin):
        return [("-", _("No channel chosen")), *settings.LANGUAGES]

    def queryset(self, request, queryset):
        value = self.value()
        if value:
            return queryset.filter(channel="" if value == "-" else value)
        return queryset


class SessionChoiceInline(admin.TabularInline):
    model = SessionChoice
    extra = 0
    can_delete = False
    fields = ["session", "status", "requested_at", "confirmed_at"]
    readonly_fields = fields

    def has_add_permission(self, request, obj=None):
        return False


class ReminderSentInline(admin.TabularInline):
    model = ReminderSent
    extra = 0
    can_delete = False
    fields = ["key", "sent_at"]
    readonly_fields = fields

    def has_add_permission(self, request, obj=None):
        return False


@admin.register(Registration)
class RegistrationAdmin(admin.ModelAdmin):
    list_display = [
        "full_name", "email", "event", "status", "sector", "country_name", "language",
        "channel", "parallel_choices", "created_at",
    ]
    list_filter = [
        "event", "status", "sector", ("country", CountryFilter), "language", ChannelFilter,
        SessionFilter, ("created_at", admin.DateFieldListFilter),
    ]
    search_fields = ["full_name", "email", "organisation", "position"]
    list_select_related = ["event"]
    # Newest first, on an index. A date drill-down (date_hierarchy) scanned the
    # whole table twice per page at 100,000 registrations; the "registered"
    # filter and the dashboard's timeline answer the same questions.
    ordering = ["-created_at", "-id"]
    # The total beside "N selected" is a second COUNT over every registration.
    show_full_result_count = False
    inlines = [SessionChoiceInline, ReminderSentInline]
    readonly_fields = [
        "event", "status", "email", "privacy_consent_at",
        "created_at", "seat_requested_at", "confirmed_at", "cancelled_at", "erased_at",
        "updated_at",
    ]
    fieldsets = [
        (None, {"fields": ["event", "status"]}),
        (_("Person"), {"fields": [
            "full_name", "email", "organisation", "position", "country", "sector",
        ]}),
        (_("Preferences"), {"fields": ["language", "channel", "future_contact"]}),
        (_("History"), {"fields": [
            "privacy_consent_at", "created_at", "seat_requested_at", "confirmed_at",
            "cancelled_at", "erased_at", "updated_at",
        ]}),
    ]
    # Registrations are read-only to the Organisers group (view permission
    # only), but organisers run these actions: each goes through
    # registration/services.py, which keeps the seat rules, so "view" is what
    # they require. Editing a registration by hand still needs "change".
    actions = [
        "resend_confirmation", "cancel_registrations", "promote_selected", "fill_free_seats",
        "export_csv", "export_xlsx",
    ]
    change_list_template = "registration/admin/registration_change_list.html"

    def get_queryset(self, request):
        return super().get_queryset(request).prefetch_related("choices__session")

    def lookup_allowed(self, lookup, value, request=None):
        # ?token_digest__regex=^a… would read a secret out one character at a
        # time: no lookup on the private link's fields, for anyone (400).
        if lookup.split(LOOKUP_SEP, 1)[0] in SECRET_FIELDS:
            return False
        return super().lookup_allowed(lookup, value, request)

    def has_add_permission(self, request):
        # Registrations come through the public form, which takes consent.
        return False

    @admin.display(description=_("country"), ordering="country")
    def country_name(self, obj):
        # The admin would look the code up in all ~250 country choices per row.
        return obj.country.name

    @admin.display(description=_("parallel sessions"))
    def parallel_choices(self, obj):
        return "; ".join(
            f"{choice.session.title} ({choice.get_status_display()})"
            for choice in obj.choices.all()
        )

    @admin.action(
        permissions=["view"],
        description=_("Resend the confirmation email"),
    )
    def resend_confirmation(self, request, queryset):
        sent = sum(1 for registration in queryset if services.resend_confirmation(registration))
        self.message_user(
            request,
            ngettext("%(count)d email queued.", "%(count)d emails queued.", sent)
            % {"count": sent},
        )

    @admin.action(
        permissions=["view"],
        description=_("Cancel the selected registrations (seats go to the waiting list)"),
    )
    def cancel_registrations(self, request, queryset):
        count = 0
        for registration in queryset.exclude(status=Registration.Status.CANCELLED):
            services.cancel(registration)
            count += 1
        self.message_user(
            request,
            ngettext("%(count)d registration cancelled.", "%(count)d registrations cancelled.",
                     count) % {"count": count},
        )

    @admin.action(
        permissions=["view"],
        description=_(
            "Promote the selected registrations from the waiting list, even over capacity"
        ),
    )
    def promote_selected(self, request, queryset):
        count = sum(1 for registration in queryset if services.promote(registration))
        self.message_user(
            request,
            ngettext("%(count)d registration promoted.", "%(count)d registrations promoted.",
                     count) % {"count": count},
            messages.SUCCESS if count else messages.WARNING,
        )

    @admin.action(
        permissions=["view"],
        description=_("Fill free seats from the waiting list (first come, first served)"),
    )
    def fill_free_seats(self, request, queryset):
        count = 0
        for event in Event.objects.filter(pk__in=queryset.values("event_id")):
            count += services.promote_waitlist(event)
        self.message_user(
            request,
            ngettext("%(count)d registration gained a seat.",
                     "%(count)d registrations gained a seat.", count) % {"count": count},
        )

    @admin.action(
        permissions=["view"],
        description=_("Export the selected registrations as CSV (opens in Excel)"),
    )
    def export_csv(self, request, queryset):
        registrations = exports.rows(exports.export_queryset(queryset))
        return exports.csv_download(exports.headers(), registrations, "registrations.csv")

    @admin.action(
        permissions=["view"],
        description=_("Export the selected registrations as an Excel workbook (.xlsx)"),
    )
    def export_xlsx(self, request, queryset):
        count = queryset.count()
        if count > exports.XLSX_ADMIN_LIMIT:
            self.message_user(
                request,
                _("%(count)d registrations are too many for a workbook built while you wait "
                  "(at most %(limit)d). Export them as CSV, which Excel opens too, or ask for "
                  "a workbook from the command line: manage.py export_registrations --format "
                  "xlsx.") % {"count": count, "limit": exports.XLSX_ADMIN_LIMIT},
                messages.WARNING,
            )
            return None
        registrations = exports.rows(exports.export_queryset(queryset))
        return exports.xlsx_download(
            exports.headers(), registrations, "registrations.xlsx", title=str(_("Registrations"))
        )

    def get_urls(self):
        urls = [
            path(
                "seats/",
                self.admin_site.admin_view(self.seats_view),
                name="registration_registration_seats",
            ),
            path(
                "dashboard/<int:event_id>/",
                self.admin_site.admin_view(self.dashboard_view),
                name="registration_registration_dashboard",
            ),
            path(
                "dashboard/<int:event_id>/<slug:table>.csv",
                self.admin_site.admin_view(self.dashboard_csv_view),
                name="registration_registration_dashboard_csv",
            ),
        ]
        return urls + super().get_urls()

    def seats_view(self, request):
        """Seats taken, waiting and free, per event and per session with choices."""
        if not self.has_view_permission(request):
            raise PermissionDenied  # counts of registrations: same rule as the dashboard
        context = {
            **self.admin_site.each_context(request),
            "title": _("Seats per event and session"),
            "opts": self.model._meta,
            "events": seat_counts(),
            "changelist_url": reverse("admin:registration_registration_changelist"),
        }
        return TemplateResponse(request, "registration/admin/seats.html", context)

    def dashboard_view(self, request, event_id):
        """An event's dashboard: registrations over time, seats, who is coming.

        For staff who may view registrations (admin_view sends anyone else to
        the login page; a staff member without that permission gets 403). The
        figures and their definitions are in registration/dashboard.py.
        """
        event = self._dashboard_event(request, event_id)
        context = {
            **self.admin_site.each_context(request),
            "title": _("Dashboard: %(event)s") % {"event": event.name},
            "opts": self.model._meta,
            "event": event,
            "event_opts": Event._meta,
            "sections": dashboard.sections(event),
            "changelist_url": reverse("admin:registration_registration_changelist"),
        }
        return TemplateResponse(request, "registration/admin/dashboard.html", context)

    def dashboard_csv_view(self, request, event_id, table):
        """One table of the dashboard as CSV (same cells, formula-safe, for Excel)."""
        event = self._dashboard_event(request, event_id)
        tables = {section.table.key: section.table for section in dashboard.sections(event)}
        if table not in tables:
            raise Http404
        return exports.csv_download(
            tables[table].headers, tables[table].rows, f"{event.slug}-{table}.csv"
        )

    def _dashboard_event(self, request, event_id):
        # Viewing registrations is what the dashboard summarises, so the same
        # permission guards it.
        if not self.has_view_permission(request):
            raise PermissionDenied
        return get_object_or_404(Event, pk=event_id)

    def changelist_view(self, request, extra_context=None):
        extra_context = {
            **(extra_context or {}),
            "seats_url": reverse("admin:registration_registration_seats"),
        }
        return super().changelist_view(request, extra_context)


def seat_counts():
    """Per event: capacity and registrations by status; per parallel session: seats."""
    events = seats.with_registration_counts(Event.objects.all()).order_by("slug")
    sessions = seats.with_seat_counts(
        Session.objects.filter(kind=Session.Kind.PARALLEL)
    ).order_by("start", "track", "pk")
    by_event = {}
    for session in sessions:
        session.free = seats.free_seats(session.capacity, session.taken)
        by_event.setdefault(session.event_id, []).append(session)
    result = []
    for event in events:
        event.free = seats.free_seats(event.capacity, event.confirmed)
        result.append({"event": event, "sessions": by_event.get(event.pk, [])})
    return result


def notify_registrants(modeladmin, request, events):
    """Email registrants the changes of their sessions not yet told them; say how many."""
    count = sum(notices.notify_changes(event) for event in events)
    modeladmin.message_user(
        request,
        ngettext(
            "%(count)d registrant was emailed about programme changes.",
            "%(count)d registrants were emailed about programme changes.",
            count,
        ) % {"count": count} if count else
        _("No registrant has unannounced changes; no email sent."),
        messages.SUCCESS if count else messages.INFO,
    )


# The programme's admins gain the registration actions here, so that agenda/
# never depends on registration/.
admin.site.unregister(Event)


@admin.register(Event)
class EventAdmin(agenda_admin.EventAdmin):
    actions = [*agenda_admin.EventAdmin.actions, "notify_changes"]

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

    @admin.action(description=_("Notify registrants of changes"))
    def notify_changes(self, request, queryset):
        notify_registrants(self, request, queryset)


admin.site.unregister(SessionChange)


@admin.register(SessionChange)
class SessionChangeAdmin(agenda_admin.SessionChangeAdmin):
    actions = ["notify_changes"]

    @admin.action(description=_("Notify registrants of changes (of the events of the selected)"))
    def notify_changes(self, request, queryset):
        notify_registrants(
            self, request, Event.objects.filter(sessions__changes__in=queryset).distinct()
        )


admin.site.unregister(Email)


@admin.register(Email)
class OutboxEmailAdmin(EmailAdmin):
    """django-post_office's outbox, safe to show organisers.

    The bodies are shown with every private and confirmation link masked
    (whoever reads the outbox must not be able to open someone's
    registration); sender, recipients and headers cannot be edited, so a
    queued email cannot be redirected to another address; bodies cannot be
    searched or filtered on. Requeueing needs only the view permission; the
    "resend now" button needs the change permission, which organisers lack.
    """

    _FIXED = ["from_email", "to", "cc", "bcc", "headers", "subject", "message",
              "html_message", "context", "template", "backend_alias", "message_id"]

    def get_readonly_fields(self, request, obj=None):
        return [*super().get_readonly_fields(request, obj), *self._FIXED]

    def lookup_allowed(self, lookup, value, request=None):
        if lookup.split(LOOKUP_SEP, 1)[0] in {"message", "html_message", "headers", "context"}:
            return False
        return super().lookup_allowed(lookup, value, request)

    @admin.display(description=_("Mail Body"))
    def render_plaintext_body(self, instance):
        body = super().render_plaintext_body(instance)
        return mark_safe(tokens.mask_links(body)) if body else body  # escaped by the parent

    def _get_html_payload(self, instance):
        html = super()._get_html_payload(instance)
        return tokens.mask_links(html) if html is not None else None
