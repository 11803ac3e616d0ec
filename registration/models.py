"""Sign-ups for events: a registration, its parallel-session choices, reminders and notices sent.

Seats are never taken here: every change of state goes through
``registration/services.py``, which locks the event row while it counts seats.
"""

import uuid

from django.conf import settings
from django.core.exceptions import ValidationError
from django.db import models
from django.db.models import Q
from django.utils.translation import gettext_lazy as _
from django_countries.fields import CountryField

from agenda.models import Event, Session, SessionChange
from registration import tokens


class Sector(models.TextChoices):
    LOCAL_GOVERNMENT = "local_government", _("Local government")
    NATIONAL_GOVERNMENT = "national_government", _("National government")
    INTERNATIONAL_ORGANISATION = "international_organisation", _("International organisation")
    BUSINESS = "business", _("Business")
    RESEARCH = "research", _("Research or academia")
    NGO = "ngo", _("NGO or civil society")
    MEDIA = "media", _("Media")
    OTHER = "other", _("Other")


EMAIL_LANGUAGE_CHOICES = settings.LANGUAGES


def validate_no_comma(value):
    """Refuse an address with a comma (legal inside quotes: ``"a,b"@example.org``).

    The outbox (django-post_office) keeps recipients as one comma-separated
    text: such an address would be read back as two, and mail sent to the
    wrong one.
    """
    if "," in value:
        raise ValidationError(
            _("Please use an email address without a comma."), code="comma"
        )


class Registration(models.Model):
    """One person's sign-up for one event.

    ``status`` is about the event seat. Each parallel-session choice has its own
    status (:class:`SessionChoice`), so a confirmed participant can wait for a
    full session while keeping their place at the event.
    """

    class Status(models.TextChoices):
        PENDING = "pending", _("Awaiting email confirmation")
        CONFIRMED = "confirmed", _("Confirmed")
        WAITLISTED = "waitlisted", _("On the waiting list")
        CANCELLED = "cancelled", _("Cancelled")

    event = models.ForeignKey(
        Event, on_delete=models.PROTECT, related_name="registrations", verbose_name=_("event")
    )
    status = models.CharField(
        _("status"), max_length=20, choices=Status.choices, default=Status.PENDING
    )
    full_name = models.CharField(_("full name"), max_length=200)
    email = models.EmailField(_("email"), max_length=254, validators=[validate_no_comma])
    # The address as compared (trimmed, lower-cased in Python so that SQLite and
    # PostgreSQL agree); unique per event so an address registers once.
    email_key = models.CharField(_("email key"), max_length=254, editable=False)
    organisation = models.CharField(_("organisation"), max_length=200, blank=True)
    position = models.CharField(_("position"), max_length=200, blank=True)
    country = CountryField(_("country"), blank=True)
    sector = models.CharField(_("sector"), max_length=40, choices=Sector.choices)
    language = models.CharField(
        _("email language"), max_length=8, choices=EMAIL_LANGUAGE_CHOICES, default="en"
    )
    channel = models.CharField(
        _("listening channel"), max_length=8, blank=True,
        help_text=_("Language code of the interpretation channel, for events with interpretation."),
    )
    privacy_consent_at = models.DateTimeField(_("privacy notice accepted"))
    future_contact = models.BooleanField(_("may be contacted about future events"), default=False)
    # Shown in confirmation links instead of the sequential id.
    public_id = models.UUIDField(default=uuid.uuid4, unique=True, editable=False)
    # The private link's token is never stored (registration/tokens.py): its
    # digest finds the registration, the salt (useless without SECRET_KEY)
    # lets the site write the link into a later email. Both empty: erased.
    token_digest = models.CharField(max_length=64, blank=True, editable=False)
    token_salt = models.CharField(max_length=32, blank=True, editable=False)
    created_at = models.DateTimeField(_("registered"), auto_now_add=True)
    seat_requested_at = models.DateTimeField(
        _("seat requested"), null=True, blank=True,
        help_text=_("When the address was confirmed: the waiting list is served in this order."),
    )
    confirmed_at = models.DateTimeField(_("seat given"), null=True, blank=True)
    cancelled_at = models.DateTimeField(_("cancelled"), null=True, blank=True)
    erased_at = models.DateTimeField(_("personal data erased"), null=True, blank=True)
    updated_at = models.DateTimeField(_("updated"), auto_now=True)

    class Meta:
        verbose_name = _("registration")
        verbose_name_plural = _("registrations")
        ordering = ["event", "created_at", "id"]
        constraints = [
            models.UniqueConstraint(
                fields=["event", "email_key"],
                condition=~Q(email_key=""),
                name="unique_registration_email_per_event",
            ),
            # Erased registrations have no token: the empty digest may repeat.
            models.UniqueConstraint(
                fields=["token_digest"],
                condition=~Q(token_digest=""),
                name="unique_registration_token",
            ),
        ]
        indexes = [
            models.Index(fields=["event", "status", "seat_requested_at"]),
            # The admin's list: newest first, and its country filter's choices.
            models.Index(fields=["created_at", "id"], name="registration_newest"),
            models.Index(fields=["country"], name="registration_country"),
        ]

    def __str__(self):
        if self.erased_at:
            return _("Erased registration #%(id)s") % {"id": self.pk}
        return f"{self.full_name} <{self.email}>"

    @property
    def token(self) -> str:
        """The private-link token, or "" when the site cannot rebuild it.

        "" for an erased registration, and for one whose stored digest is not
        of the token rebuilt here: a link made before tokens were derived (its
        old link still works, the next email issues a fresh one), or after
        SECRET_KEY changed.
        """
        known = self.__dict__.get("_known_token")
        if known and tokens.digests_match(self.token_digest, known):  # not rotated since
            return known
        if not (self.token_salt and self.token_digest):
            return ""
        token = tokens.private_token(self.public_id, self.token_salt)
        return token if tokens.digests_match(self.token_digest, token) else ""

    def issue_token(self) -> str:
        """Give the registration a fresh private token (not saved); the old one stops working."""
        self.token_salt = tokens.new_token_salt()
        token = tokens.private_token(self.public_id, self.token_salt)
        self.token_digest = tokens.digest(token)
        self._known_token = token
        return token

    def remember_token(self, token: str):
        """Keep the token a visitor came with (checked by the caller), for this request's links."""
        self._known_token = token

    @property
    def is_erased(self):
        return self.erased_at is not None

    @property
    def is_active(self):
        """Whether the registration still counts (not cancelled, not erased)."""
        return self.status != self.Status.CANCELLED

    # What templates ask, so that none compares status strings.
    @property
    def is_pending(self):
        return self.status == self.Status.PENDING

    @property
    def is_confirmed(self):
        return self.status == self.Status.CONFIRMED

    @property
    def is_waitlisted(self):
        return self.status == self.Status.WAITLISTED

    @property
    def is_cancelled(self):
        return self.status == self.Status.CANCELLED


class SessionChoice(models.Model):
    """A parallel session a participant chose for one slot, and their seat in it."""

    class Status(models.TextChoices):
        # The registration holds no event seat (pending, waiting, cancelled):
        # the choice does not compete for a session seat.
        INACTIVE = "inactive", _("Not yet active")
        CONFIRMED = "confirmed", _("Confirmed")
        WAITLISTED = "waitlisted", _("On the waiting list")

    registration = models.ForeignKey(
        Registration, on_delete=models.CASCADE, related_name="choices",
        verbose_name=_("registration"),
    )
    session = models.ForeignKey(
        Session, on_delete=models.PROTECT, related_name="registration_choices",
        verbose_name=_("session"),
    )
    status = models.CharField(
        _("status"), max_length=20, choices=Status.choices, default=Status.INACTIVE
    )
    requested_at = models.DateTimeField(
        _("requested"), help_text=_("The session's waiting list is served in this order.")
    )
    confirmed_at = models.DateTimeField(_("seat given"), null=True, blank=True)

    class Meta:
        verbose_name = _("session choice")
        verbose_name_plural = _("session choices")
        ordering = ["session__start", "session__track", "id"]
        constraints = [
            models.UniqueConstraint(
                fields=["registration", "session"], name="unique_session_choice"
            ),
        ]
        indexes = [models.Index(fields=["session", "status", "requested_at"])]

    def __str__(self):
        return f"{self.session} ({self.get_status_display()})"


class ReminderSent(models.Model):
    """A named reminder already sent to a registrant, so it is never sent twice."""

    registration = models.ForeignKey(
        Registration, on_delete=models.CASCADE, related_name="reminders",
        verbose_name=_("registration"),
    )
    key = models.CharField(_("reminder"), max_length=50)
    sent_at = models.DateTimeField(_("sent"), auto_now_add=True)

    class Meta:
        verbose_name = _("reminder sent")
        verbose_name_plural = _("reminders sent")
        ordering = ["sent_at", "id"]
        constraints = [
            models.UniqueConstraint(fields=["registration", "key"], name="unique_reminder"),
        ]

    def __str__(self):
        return f"{self.key} → {self.registration_id}"


class ChangeNotice(models.Model):
    """A programme change a registrant has been told about, so they are never told twice.

    Written in the same transaction that queues the email
    (``registration.notices.notify_changes``); unique per registrant and
    change, so even two runs at once cannot tell anyone twice.
    """

    registration = models.ForeignKey(
        Registration, on_delete=models.CASCADE, related_name="change_notices",
        verbose_name=_("registration"),
    )
    change = models.ForeignKey(
        SessionChange, on_delete=models.CASCADE, related_name="notices",
        verbose_name=_("programme change"),
    )
    sent_at = models.DateTimeField(_("sent"), auto_now_add=True)

    class Meta:
        verbose_name = _("change notice sent")
        verbose_name_plural = _("change notices sent")
        ordering = ["sent_at", "id"]
        constraints = [
            models.UniqueConstraint(
                fields=["registration", "change"], name="unique_change_notice"
            ),
        ]

    def __str__(self):
        return f"{self.change_id} → {self.registration_id}"


class RegistrationEmail(models.Model):
    """An email of the outbox (django-post_office's ``Email``) written for a registration.

    The outbox knows addresses, not registrations: this link is how erasing a
    registration finds, and deletes, the emails stored for it.
    """

    registration = models.ForeignKey(
        Registration, on_delete=models.CASCADE, related_name="emails",
        verbose_name=_("registration"),
    )
    email = models.OneToOneField(
        "post_office.Email", on_delete=models.CASCADE, related_name="+", verbose_name=_("email")
    )
    kind = models.CharField(_("kind"), max_length=40)

    class Meta:
        verbose_name = _("registration email")
        verbose_name_plural = _("registration emails")

    def __str__(self):
        return f"{self.kind} → {self.registration_id}"
