"""The programme: events, their days, sessions, speakers and organisations.

Text that visitors read (names, titles, descriptions, bios) is translated per
language by django-modeltranslation (see ``agenda/translation.py``); English is
the fallback when a translation is missing.
"""

import uuid
import zoneinfo
from datetime import timedelta

from django.conf import settings
from django.core.exceptions import ValidationError
from django.db import models
from django.db.models import F, Q
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext_lazy as _
from django.utils.translation import pgettext_lazy

from agenda import timezones


class SlugManager(models.Manager):
    """Finds rows by their slug, their natural key in fixtures."""

    def get_by_natural_key(self, slug):
        return self.get(slug=slug)


class EventOrganisationManager(models.Manager):
    def get_by_natural_key(self, event_slug, organisation_slug, role):
        return self.get(event__slug=event_slug, organisation__slug=organisation_slug, role=role)


class SessionSpeakerManager(models.Manager):
    def get_by_natural_key(self, event_slug, session_slug, speaker_slug, role):
        return self.get(
            session__event__slug=event_slug,
            session__slug=session_slug,
            speaker__slug=speaker_slug,
            role=role,
        )


class Organisation(models.Model):
    """A body that organises, supports or is the contact for an event."""

    slug = models.SlugField(_("slug"), max_length=80, unique=True)
    name = models.CharField(_("name"), max_length=300)
    short_name = models.CharField(
        _("short name"), max_length=60, blank=True, help_text=_("An acronym such as IGES.")
    )
    website = models.URLField(_("website"), blank=True)

    objects = SlugManager()

    class Meta:
        verbose_name = _("organisation")
        verbose_name_plural = _("organisations")
        ordering = ["name"]

    def __str__(self):
        return self.name

    def natural_key(self):
        return (self.slug,)


class EventQuerySet(models.QuerySet):
    """Which events a visitor may see: every public lookup of an event goes through here."""

    def public(self):
        """Published events: the only ones anonymous visitors, feeds and crawlers see."""
        return self.filter(published=True)

    def visible_to(self, user):
        """Published events, and drafts too for staff who may view events (to preview)."""
        if can_preview_drafts(user):
            return self.all()
        return self.public()


def can_preview_drafts(user) -> bool:
    """Whether ``user`` may see draft events' pages (active staff with the view permission)."""
    return bool(
        user is not None
        and getattr(user, "is_active", False)
        and getattr(user, "is_staff", False)
        and user.has_perm("agenda.view_event")
    )


class EventManager(SlugManager.from_queryset(EventQuerySet)):
    pass


class Event(models.Model):
    """A forum or workshop with its own programme, zones and registrations."""

    class Format(models.TextChoices):
        ONLINE = "online", _("Online")
        IN_PERSON = "in_person", _("In person")
        HYBRID = "hybrid", _("Hybrid")

    slug = models.SlugField(_("slug"), max_length=80, unique=True)
    name = models.CharField(_("name"), max_length=300)
    tagline = models.CharField(_("tagline"), max_length=300, blank=True)
    description = models.TextField(
        _("description"), blank=True, help_text=_("Paragraphs separated by a blank line.")
    )
    aims = models.TextField(_("aims"), blank=True, help_text=_("One aim per line."))
    format = models.CharField(_("format"), max_length=20, choices=Format.choices)
    venue = models.CharField(_("venue"), max_length=300, blank=True)
    reference_timezone = models.CharField(
        _("reference time zone"),
        max_length=64,
        help_text=_("The organisers' zone: programme days are dated in it (IANA name)."),
    )
    display_timezones = models.CharField(
        _("display time zones"),
        max_length=300,
        help_text=_("IANA names separated by commas, in the order shown, e.g. "
                    "America/New_York, Asia/Tokyo."),
    )
    livestream_url = models.URLField(_("livestream URL"), blank=True)
    livestream_platform = models.CharField(
        _("livestream platform"), max_length=60, blank=True, help_text=_("For example YouTube.")
    )
    contact_email = models.EmailField(_("contact email"), blank=True)
    languages = models.CharField(
        _("languages"),
        max_length=40,
        blank=True,
        help_text=_("Language codes of the event, separated by commas, e.g. en, ja."),
    )
    has_interpretation = models.BooleanField(
        _("simultaneous interpretation"), default=False,
        help_text=_("Participants choose a listening channel among the event's languages."),
    )
    capacity = models.PositiveIntegerField(
        _("capacity"), null=True, blank=True, help_text=_("Empty means unlimited.")
    )
    recording_url = models.URLField(
        _("recording URL"), blank=True,
        help_text=_("Filled in after the event: past events link to it."),
    )
    registration_open = models.BooleanField(
        _("taking sign-ups"), default=True,
        help_text=_("Untick to close registration early or pause it, whatever the window says."),
    )
    registration_opens_at = models.DateTimeField(
        _("registration opens at"), null=True, blank=True,
        help_text=_("In the event's reference time zone. Empty: open until the window closes."),
    )
    registration_closes_at = models.DateTimeField(
        _("registration closes at"), null=True, blank=True,
        help_text=_("In the event's reference time zone. Empty: open until the event ends."),
    )
    # A new event is a draft: nothing half-ready reaches the public (pages,
    # feeds, sitemap) until an organiser publishes it.
    published = models.BooleanField(
        _("published"), default=False,
        help_text=_("Drafts are invisible to the public; staff see them with a banner."),
    )
    organisations = models.ManyToManyField(
        Organisation, through="EventOrganisation", related_name="events", blank=True
    )

    objects = EventManager()

    class Meta:
        verbose_name = _("event")
        verbose_name_plural = _("events")
        ordering = ["slug"]

    def __str__(self):
        return self.name

    def get_absolute_url(self):
        return reverse("agenda:event", kwargs={"event": self.slug})

    def natural_key(self):
        return (self.slug,)

    @property
    def display_zones(self):
        """The display zone names, in order, as a list."""
        return timezones.parse_zone_list(self.display_timezones)

    @property
    def language_codes(self):
        return [code.strip() for code in self.languages.split(",") if code.strip()]

    def clean(self):
        errors = {}
        if self.reference_timezone and not timezones.is_valid_zone(self.reference_timezone):
            errors["reference_timezone"] = _("“%(zone)s” is not an IANA time zone name.") % {
                "zone": self.reference_timezone
            }
        unknown = [z for z in self.display_zones if not timezones.is_valid_zone(z)]
        if unknown:
            errors["display_timezones"] = _("Not IANA time zone names: %(zones)s.") % {
                "zones": ", ".join(unknown)
            }
        elif self.display_timezones and not self.display_zones:
            errors["display_timezones"] = _("Give at least one time zone.")
        opens, closes = self.registration_opens_at, self.registration_closes_at
        if opens and closes and closes <= opens:
            errors["registration_closes_at"] = _(
                "Registration must close after it opens."
            )
        if errors:
            raise ValidationError(errors)

    @property
    def reference_zone(self):
        return zoneinfo.ZoneInfo(self.reference_timezone)

    @property
    def is_streamed(self):
        """Online or hybrid: there is a livestream to join."""
        return self.format != self.Format.IN_PERSON


class EventOrganisation(models.Model):
    """The part an organisation plays in an event, in display order."""

    class Role(models.TextChoices):
        ORGANISER = "organiser", _("Organiser")
        CO_ORGANISER = "co_organiser", _("Co-organiser")
        COLLABORATOR = "collaborator", _("Collaborator")
        CONTACT = "contact", pgettext_lazy("organisation role", "Contact")

    event = models.ForeignKey(Event, on_delete=models.CASCADE, related_name="event_organisations")
    organisation = models.ForeignKey(
        Organisation, on_delete=models.PROTECT, related_name="event_roles"
    )
    role = models.CharField(_("role"), max_length=20, choices=Role.choices)
    order = models.PositiveSmallIntegerField(_("order"), default=0)

    objects = EventOrganisationManager()

    class Meta:
        verbose_name = _("organisation of the event")
        verbose_name_plural = _("organisations of the event")
        ordering = ["event", "order", "id"]
        constraints = [
            models.UniqueConstraint(
                fields=["event", "organisation", "role"], name="unique_event_organisation_role"
            )
        ]

    def __str__(self):
        return f"{self.organisation} ({self.get_role_display()})"

    def natural_key(self):
        return self.event.natural_key() + self.organisation.natural_key() + (self.role,)

    natural_key.dependencies = ["agenda.event", "agenda.organisation"]


class DayManager(models.Manager):
    def get_by_natural_key(self, event_slug, number):
        return self.get(event__slug=event_slug, number=number)


class Day(models.Model):
    """A programme day as the organisers count it, dated in the reference zone."""

    event = models.ForeignKey(Event, on_delete=models.CASCADE, related_name="days")
    number = models.PositiveSmallIntegerField(_("number"))
    date = models.DateField(_("date"), help_text=_("In the event's reference time zone."))
    label = models.CharField(_("label"), max_length=100, blank=True)

    objects = DayManager()

    class Meta:
        verbose_name = _("day")
        verbose_name_plural = _("days")
        ordering = ["event", "number"]
        constraints = [
            models.UniqueConstraint(fields=["event", "number"], name="unique_day_number"),
            models.UniqueConstraint(fields=["event", "date"], name="unique_day_date"),
            models.CheckConstraint(condition=Q(number__gte=1), name="day_number_from_one"),
        ]

    def __str__(self):
        return f"{self.event} – {self.display_label}"

    def natural_key(self):
        return self.event.natural_key() + (self.number,)

    natural_key.dependencies = ["agenda.event"]

    @property
    def display_label(self):
        return self.label or _("Day %(number)s") % {"number": self.number}

    def bounds(self):
        """The day's start and end as aware datetimes in the reference zone."""
        return timezones.day_bounds(self.date, self.event.reference_zone)


class SessionManager(models.Manager):
    def get_by_natural_key(self, event_slug, slug):
        return self.get(event__slug=event_slug, slug=slug)


class Session(models.Model):
    """One item of the programme, from opening remarks to a break."""

    class Kind(models.TextChoices):
        OPENING = "opening", _("Opening")
        FRAMING = "framing", _("Framing session")
        PLENARY = "plenary", _("Plenary")
        PARALLEL = "parallel", _("Parallel session")
        BREAK = "break", _("Break")
        CLOSING_PLENARY = "closing_plenary", _("Closing plenary")
        CLOSING = "closing", _("Closing")
        # For programmes other than the forum's: conferences, workshops, meetups.
        TALK = "talk", _("Talk")
        KEYNOTE = "keynote", _("Keynote")
        PANEL = "panel", _("Panel discussion")
        WORKSHOP = "workshop", _("Workshop")
        NETWORKING = "networking", _("Networking")
        OTHER = "other", pgettext_lazy("session kind", "Other")

    class Status(models.TextChoices):
        SCHEDULED = "scheduled", _("Scheduled")
        CANCELLED = "cancelled", pgettext_lazy("session status", "Cancelled")

    event = models.ForeignKey(Event, on_delete=models.CASCADE, related_name="sessions")
    day = models.ForeignKey(Day, on_delete=models.PROTECT, related_name="sessions")
    uuid = models.UUIDField(
        _("UUID"), default=uuid.uuid4, unique=True, editable=False,
        help_text=_("The session's identity in every calendar, for ever."),
    )
    slug = models.SlugField(_("slug"), max_length=100)
    kind = models.CharField(_("kind"), max_length=20, choices=Kind.choices)
    title = models.CharField(_("title"), max_length=300)
    description = models.TextField(_("description"), blank=True)
    start = models.DateTimeField(_("start"))
    end = models.DateTimeField(_("end"))
    track = models.CharField(
        _("track or channel"), max_length=100, blank=True,
        help_text=_("For parallel sessions: the track or channel they run in."),
    )
    livestream_url = models.URLField(
        _("livestream URL"), blank=True, help_text=_("Empty means the event's livestream.")
    )
    recording_url = models.URLField(
        _("recording URL"), blank=True,
        help_text=_("Filled in after the event. Empty means the event's recording, if any."),
    )
    status = models.CharField(
        _("status"), max_length=20, choices=Status.choices, default=Status.SCHEDULED
    )
    capacity = models.PositiveIntegerField(
        _("capacity"), null=True, blank=True, help_text=_("Empty means unlimited.")
    )
    sequence = models.PositiveIntegerField(
        _("sequence"), default=0, editable=False,
        help_text=_("Rises when the time or status changes, so calendars update."),
    )
    updated_at = models.DateTimeField(_("updated"), auto_now=True)
    speakers = models.ManyToManyField("Speaker", through="SessionSpeaker", related_name="sessions")
    other_participants = models.TextField(
        _("other participants"), blank=True,
        help_text=_("People taking part who are not named in the programme, one per line, "
                    "e.g. “Representative of the United States”. Listed after the speakers."),
    )

    objects = SessionManager()

    class Meta:
        verbose_name = _("session")
        verbose_name_plural = _("sessions")
        ordering = ["start", "track", "id"]
        constraints = [
            models.CheckConstraint(
                condition=Q(end__gt=F("start")), name="session_ends_after_start"
            ),
            models.UniqueConstraint(fields=["event", "slug"], name="unique_session_slug"),
        ]
        indexes = [models.Index(fields=["event", "start"])]

    def __str__(self):
        return self.title

    def save(self, *args, **kwargs):
        """Save; when the time or status changed, raise SEQUENCE.

        Calendar clients replace an event only when SEQUENCE rises, so any
        change of time or status must raise it; other edits must not. This is
        the one place that compares with the stored row: it leaves the stored
        time and status in ``time_and_status_before`` (None for a new session),
        from which ``agenda.services.save_session`` records the change.
        """
        self.time_and_status_before = None
        if self.pk is not None and not self._state.adding:
            stored = (
                Session.objects.filter(pk=self.pk)
                .values("start", "end", "status", "sequence")
                .first()
            )
            if stored is not None:
                sequence = stored.pop("sequence")
                self.time_and_status_before = stored
                if stored != self.time_and_status():
                    self.sequence = sequence + 1
                    update_fields = kwargs.get("update_fields")
                    if update_fields is not None:
                        kwargs["update_fields"] = set(update_fields) | {"sequence", "updated_at"}
        super().save(*args, **kwargs)

    def get_absolute_url(self):
        return reverse("agenda:session", kwargs={"event": self.event.slug, "session": self.slug})

    def natural_key(self):
        return self.event.natural_key() + (self.slug,)

    natural_key.dependencies = ["agenda.event", "agenda.day"]

    def time_and_status(self) -> dict:
        """``{"start", "end", "status"}``: what a recorded change is about."""
        return {"start": self.start, "end": self.end, "status": self.status}

    @property
    def is_cancelled(self):
        return self.status == self.Status.CANCELLED

    @property
    def is_break(self):
        return self.kind == self.Kind.BREAK

    @property
    def is_parallel(self):
        return self.kind == self.Kind.PARALLEL

    @property
    def other_participant_lines(self) -> list[str]:
        """The unnamed participants, one per line as the organisers typed them."""
        return [line.strip() for line in (self.other_participants or "").splitlines()
                if line.strip()]

    @property
    def kind_label(self) -> str:
        """The kind to print under the title, or "" when the title already says it.

        "Closing plenary" under the title "Closing plenary" (or "Parallel
        session" over "Parallel session 1: …") would only repeat it.
        """
        label = str(self.get_kind_display())
        if (self.title or "").casefold().startswith(label.casefold()):
            return ""
        return label

    @property
    def duration(self) -> timedelta:
        return self.end - self.start

    @property
    def effective_livestream_url(self):
        return self.livestream_url or self.event.livestream_url

    @property
    def effective_recording_url(self):
        return self.recording_url or self.event.recording_url

    def clean(self):
        errors = {}
        if self.start and self.end and self.end <= self.start:
            errors["end"] = _("The session must end after it starts.")
        if self.day_id and self.event_id and self.day.event_id != self.event_id:
            errors["day"] = _("This day belongs to another event.")
        # A session outside its day is only a warning (agenda/session_checks.py):
        # an evening reception may end after midnight.
        if not errors and self.event_id and self.start and self.end and self.status != (
            self.Status.CANCELLED
        ):
            clashes = Session.objects.filter(
                event_id=self.event_id,
                track=self.track,
                start__lt=self.end,
                end__gt=self.start,
            ).exclude(status=self.Status.CANCELLED)
            if self.pk:
                clashes = clashes.exclude(pk=self.pk)
            clash = clashes.first()
            if clash is not None:
                track = self.track or _("the main programme")
                errors["start"] = _(
                    "“%(other)s” already takes place on %(track)s at this time."
                ) % {"other": clash.title, "track": track}
        if errors:
            raise ValidationError(errors)


class Speaker(models.Model):
    """A person who speaks, moderates or reports at sessions."""

    slug = models.SlugField(_("slug"), max_length=100, unique=True)
    name = models.CharField(_("name"), max_length=200)
    position = models.CharField(_("position"), max_length=300, blank=True)
    organisation = models.ForeignKey(
        Organisation, on_delete=models.SET_NULL, null=True, blank=True, related_name="speakers",
        verbose_name=_("organisation"),
    )
    bio = models.TextField(_("biography"), blank=True)

    objects = SlugManager()

    class Meta:
        verbose_name = _("speaker")
        verbose_name_plural = _("speakers")
        ordering = ["name"]

    def __str__(self):
        return self.name

    def save(self, *args, **kwargs):
        super().save(*args, **kwargs)
        touch_sessions(Session.objects.filter(session_speakers__speaker=self))

    def natural_key(self):
        return (self.slug,)

    natural_key.dependencies = ["agenda.organisation"]


class SessionSpeaker(models.Model):
    """A speaker's part in one session, in the order shown."""

    class Role(models.TextChoices):
        SPEAKER = "speaker", _("Speaker")
        MODERATOR = "moderator", _("Moderator")
        RAPPORTEUR = "rapporteur", _("Rapporteur")
        PANELLIST = "panellist", _("Panellist")
        KEYNOTE = "keynote", _("Keynote speaker")

    session = models.ForeignKey(Session, on_delete=models.CASCADE, related_name="session_speakers")
    speaker = models.ForeignKey(Speaker, on_delete=models.CASCADE, related_name="session_roles")
    role = models.CharField(_("role"), max_length=20, choices=Role.choices, default=Role.SPEAKER)
    order = models.PositiveSmallIntegerField(_("order"), default=0)

    objects = SessionSpeakerManager()

    class Meta:
        verbose_name = _("speaker of the session")
        verbose_name_plural = _("speakers of the session")
        ordering = ["session", "order", "id"]
        constraints = [
            models.UniqueConstraint(
                fields=["session", "speaker", "role"], name="unique_session_speaker_role"
            )
        ]

    def __str__(self):
        return f"{self.speaker} ({self.get_role_display()})"

    def save(self, *args, **kwargs):
        super().save(*args, **kwargs)
        touch_sessions(Session.objects.filter(pk=self.session_id))

    def delete(self, *args, **kwargs):
        session_id = self.session_id
        result = super().delete(*args, **kwargs)
        touch_sessions(Session.objects.filter(pk=session_id))
        return result

    def natural_key(self):
        return self.session.natural_key() + self.speaker.natural_key() + (self.role,)

    natural_key.dependencies = ["agenda.session", "agenda.speaker"]


def touch_sessions(sessions):
    """Move LAST-MODIFIED of sessions whose text changed through their speakers.

    A speaker's name or role is part of each session's calendar description,
    so calendar files and their ETags must change with it (SEQUENCE does not:
    the time is the same).
    """
    sessions.update(updated_at=timezone.now())


class SessionChange(models.Model):
    """A saved change of a session's time or status, as the public and registrants learn it.

    Written only by ``agenda.services.save_session`` (admin and code alike), one
    row per saved change, never edited afterwards: it is the programme's public
    changelog and what change notices to registrants are made from.
    """

    class Kind(models.TextChoices):
        RESCHEDULED = "rescheduled", _("Rescheduled")
        CANCELLED = "cancelled", _("Cancelled")
        RESTORED = "restored", _("Back on the programme")

    session = models.ForeignKey(
        Session, on_delete=models.CASCADE, related_name="changes", verbose_name=_("session")
    )
    kind = models.CharField(_("kind of change"), max_length=20, choices=Kind.choices)
    old_start = models.DateTimeField(_("start before"))
    old_end = models.DateTimeField(_("end before"))
    new_start = models.DateTimeField(_("start after"))
    new_end = models.DateTimeField(_("end after"))
    old_status = models.CharField(_("status before"), max_length=20, choices=Session.Status.choices)
    new_status = models.CharField(_("status after"), max_length=20, choices=Session.Status.choices)
    changed_at = models.DateTimeField(_("changed"), default=timezone.now, db_index=True)
    # Kept for the organisers' audit only; never shown on public pages.
    changed_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True, blank=True,
        related_name="+", verbose_name=_("changed by"),
    )

    class Meta:
        verbose_name = _("programme change")
        verbose_name_plural = _("programme changes")
        ordering = ["-changed_at", "-id"]
        indexes = [models.Index(fields=["session", "changed_at"])]

    def __str__(self):
        return f"{self.session} – {self.get_kind_display()}"

    @property
    def moved(self) -> bool:
        """Whether the start or end changed (a cancellation alone keeps the times)."""
        return (self.old_start, self.old_end) != (self.new_start, self.new_end)

    @classmethod
    def kind_between(cls, old_status: str, new_status: str) -> str:
        """What a change is called: a change of status wins over a move made with it."""
        cancelled = Session.Status.CANCELLED
        if new_status == cancelled and old_status != cancelled:
            return cls.Kind.CANCELLED
        if old_status == cancelled and new_status != cancelled:
            return cls.Kind.RESTORED
        return cls.Kind.RESCHEDULED
