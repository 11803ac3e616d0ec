"""Registration pages. Thin: every change of state is a call into services.py.

Responses that could tell a visitor whether an address is registered (sign-up,
fresh link) are the same redirect and the same page in every case. Pages
reached by a private link are never cached and never indexed.
"""

from functools import wraps

from django.conf import settings
from django.contrib import messages
from django.http import HttpResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.utils.translation import gettext as _
from django.views.decorators.cache import never_cache
from django.views.decorators.debug import sensitive_post_parameters
from django.views.decorators.http import require_http_methods, require_POST, require_safe

from agenda import programme, timezones
from agenda.calendars import build_calendar
from agenda.models import Event, EventOrganisation
from forum_site import downloads
from registration import emails, ratelimit, services, summary, tokens
from registration.forms import ChoicesForm, PreferencesForm, RegistrationForm, ResendLinkForm
from registration.programme import personal_sessions


def _private(view):
    """Never cache, never index: the page belongs to one person."""

    @wraps(view)
    def wrapped(request, *args, **kwargs):
        response = view(request, *args, **kwargs)
        response["X-Robots-Tag"] = "noindex, nofollow"
        return response

    return never_cache(wrapped)


def _too_many(request, scope):
    response = render(request, "registration/rate_limited.html", status=429)
    response["Retry-After"] = str(ratelimit.retry_after(scope))
    return response


def _invalid_link(request, *, expired=False):
    """The 4xx page for a bad link, with a form to get a fresh one."""
    status = 410 if expired else 404
    return render(
        request,
        "registration/invalid_link.html",
        {"expired": expired, "form": ResendLinkForm()},
        status=status,
    )


def _standing(request, event):
    """Where the event stands, for the status line, the menu and the closed page."""
    viewer = timezones.viewer_zone_from_request(request)
    life = programme.load_life(event)
    zones = programme.zones_for(event, viewer.name)
    return {"life": life, "standing": programme.standing(life, zones, viewer.name),
            "viewer_zone": viewer.name}


# Error reports (ADMINS emails, the DEBUG page) list POST data: not these.
PERSONAL_FIELDS = ("full_name", "email", "organisation", "position")


@sensitive_post_parameters(*PERSONAL_FIELDS)
@require_http_methods(["GET", "HEAD", "POST"])
def register(request, event):
    """The sign-up form; a valid submission always ends on the same "check your email" page."""
    event = get_object_or_404(Event.objects.visible_to(request.user), slug=event)
    standing = _standing(request, event)
    if not standing["life"].takes_signups:
        # A plain page that says why and when, with no form: 200 to a visit
        # (an old link or a bookmark is not an error), 403 to a submission,
        # which is refused before anything is read, stored or sent.
        return render(
            request, "registration/closed.html", {"event": event, **standing},
            status=403 if request.method == "POST" else 200,
        )
    status = 200
    if request.method == "POST":
        if not ratelimit.allow("ip", ratelimit.client_ip(request)):
            return _too_many(request, "ip")
        form = RegistrationForm(event, request.POST)
        if form.is_valid():
            if form.is_spam:
                # Pretend it worked: a bot learns nothing, nothing is stored.
                return redirect("registration:sent", event=event.slug)
            if not ratelimit.allow("email", services.email_key(form.cleaned_data["email"])):
                return _too_many(request, "email")
            try:
                services.register(event, form.details())
            except services.RegistrationError as error:
                form.add_error(None, error.message)
            else:
                return redirect("registration:sent", event=event.slug)
        status = 400
    else:
        form = RegistrationForm(event)
    return render(
        request, "registration/register.html", {"event": event, "form": form, **standing},
        status=status,
    )


@require_safe
def sent(request, event):
    """"Check your email": identical whether the address was new or known."""
    event = get_object_or_404(Event.objects.visible_to(request.user), slug=event)
    return render(request, "registration/sent.html", {"event": event, **_standing(request, event)})


@require_safe
def privacy(request, event):
    """The event's privacy notice: what is kept, why, how long, whom to ask."""
    event = get_object_or_404(Event.objects.visible_to(request.user), slug=event)
    organisers = (
        EventOrganisation.objects.filter(
            event=event,
            role__in=[EventOrganisation.Role.ORGANISER, EventOrganisation.Role.CO_ORGANISER,
                      EventOrganisation.Role.CONTACT],
        )
        .select_related("organisation")
        .order_by("order", "id")
    )
    return render(
        request,
        "registration/privacy.html",
        {
            "event": event,
            "organisers": organisers,
            "retention_months": settings.REGISTRATION_RETENTION_MONTHS,
            "email_retention_days": settings.EMAIL_RETENTION_DAYS,
            **_standing(request, event),
        },
    )


@_private
@require_http_methods(["GET", "HEAD", "POST"])
def confirm(request, value):
    """The confirmation link: shows what will be confirmed, confirms on POST.

    A button rather than a bare GET, because mail scanners open links: a
    visit alone must not take a seat.
    """
    try:
        registration = services.registration_from_confirmation(value)
    except tokens.ExpiredLink:
        return _invalid_link(request, expired=True)
    except tokens.InvalidLink:
        return _invalid_link(request)
    if request.method == "POST":
        try:
            registration = services.confirm(value)
        except tokens.ExpiredLink:
            return _invalid_link(request, expired=True)
        except tokens.InvalidLink:
            return _invalid_link(request)
        return _to_private_page(registration)
    if registration.status != registration.Status.PENDING:
        return _to_private_page(registration)
    return render(
        request,
        "registration/confirm.html",
        {"registration": registration, "event": registration.event,
         "summary": summary.summarise(registration)},
    )


def _to_private_page(registration):
    """To the person's private page; to "get my link" when its link cannot be rebuilt.

    Only a registration from before tokens were derived has no rebuildable
    link (see ``Registration.token``); asking for it by email issues one.
    """
    if not registration.token:
        return redirect("registration:request_link")
    return redirect("registration:manage", token=registration.token)


def _manage_context(request, registration, **forms):
    base = f"{request.scheme}://{request.get_host()}"
    life = programme.load_life(registration.event)
    context = {
        "life": life,
        # After the event, what was is kept to see, download and erase, not to change.
        "can_change": life.can_change_registration,
        "registration": registration,
        "event": registration.event,
        "summary": summary.summarise(registration),
        "choices_form": forms.get("choices_form") or ChoicesForm(registration),
        "preferences_form": forms.get("preferences_form") or PreferencesForm(registration),
        "is_active": registration.status != registration.Status.CANCELLED,
        **summary.links(registration, base),
    }
    return context


def _with_registration(view):
    """Resolve the private token or answer with the invalid-link page."""

    @wraps(view)
    def wrapped(request, token, *args, **kwargs):
        registration = services.find_by_token(token)
        if registration is None:
            return _invalid_link(request)
        return view(request, registration, *args, **kwargs)

    return wrapped


def _while_changeable(view):
    """Let the view change the registration only while the event allows it.

    Once it does not (the event is over), the private page is shown as it
    stands, refusing the change with a 403.
    """

    @wraps(view)
    def wrapped(request, registration, *args, **kwargs):
        if not programme.load_life(registration.event).can_change_registration:
            return render(request, "registration/manage.html",
                          _manage_context(request, registration), status=403)
        return view(request, registration, *args, **kwargs)

    return wrapped


@_private
@require_safe
@_with_registration
def manage(request, registration):
    """The private page: status, choices, preferences, calendar, cancel, erase."""
    return render(request, "registration/manage.html", _manage_context(request, registration))


def _manage_form(request, registration, form, form_name, save):
    """The private page's forms: ``save(cleaned_data)`` returns (message level, text).

    A valid form that the rules accept redirects back to the private page with
    that message; otherwise the page is shown again with the form's errors
    (a RegistrationError becomes one of them), status 400.
    """
    if form.is_valid():
        try:
            level, text = save(form.cleaned_data)
        except services.RegistrationError as error:
            form.add_error(None, error.message)
        else:
            messages.add_message(request, level, text)
            return redirect("registration:manage", token=registration.token)
    return render(
        request, "registration/manage.html",
        _manage_context(request, registration, **{form_name: form}), status=400,
    )


@_private
@require_POST
@_with_registration
@_while_changeable
def change_choices(request, registration):
    def save(data):
        choices = services.change_choices(registration, data["choices"])
        waiting = [choice for choice in choices if choice.status == choice.Status.WAITLISTED]
        if waiting:
            return messages.WARNING, (
                _("Your choices are saved. These sessions are full, so you are on their "
                  "waiting list: %(sessions)s. We will email you if a seat frees up.")
                % {"sessions": ", ".join(choice.session.title for choice in waiting)}
            )
        return messages.SUCCESS, _("Your choices are saved.")

    form = ChoicesForm(registration, request.POST)
    return _manage_form(request, registration, form, "choices_form", save)


@_private
@require_POST
@_with_registration
@_while_changeable
def change_preferences(request, registration):
    def save(data):
        services.update_preferences(
            registration, language=data["language"], channel=data.get("channel", "")
        )
        return messages.SUCCESS, _("Your preferences are saved.")

    form = PreferencesForm(registration, request.POST)
    return _manage_form(request, registration, form, "preferences_form", save)


@_private
@require_http_methods(["GET", "HEAD", "POST"])
@_with_registration
@_while_changeable
def cancel(request, registration):
    """Asks first (GET), cancels on POST; not once the event is over."""
    if request.method == "POST":
        services.cancel(registration)
        messages.success(request, _("Your registration is cancelled."))
        return redirect("registration:manage", token=registration.token)
    return render(request, "registration/cancel.html",
                  {"registration": registration, "event": registration.event})


@_private
@require_http_methods(["GET", "HEAD", "POST"])
@_with_registration
def erase(request, registration):
    """Asks first (GET), erases on POST; the private link stops working."""
    if request.method == "POST":
        services.erase(registration)
        return redirect("registration:erased")
    return render(request, "registration/erase.html",
                  {"registration": registration, "event": registration.event})


@require_safe
def erased(request):
    return render(request, "registration/erased.html")


@sensitive_post_parameters("email")
@require_http_methods(["GET", "HEAD", "POST"])
def request_link(request):
    """Ask for fresh links by email; the answer never says whether the address is known."""
    status = 200
    if request.method == "POST":
        if not ratelimit.allow("ip", ratelimit.client_ip(request)):
            return _too_many(request, "ip")
        form = ResendLinkForm(request.POST)
        if form.is_valid():
            if form.cleaned_data["homepage"]:
                return redirect("registration:link_sent")
            if not ratelimit.allow("link", services.email_key(form.cleaned_data["email"])):
                return _too_many(request, "link")
            services.resend_link(form.cleaned_data["email"])
            return redirect("registration:link_sent")
        status = 400
    else:
        form = ResendLinkForm()
    return render(request, "registration/request_link.html", {"form": form}, status=status)


@require_safe
def link_sent(request):
    return render(request, "registration/link_sent.html")


@_private
@require_safe
@_with_registration
def personal_calendar(request, registration):
    """The person's own feed: the sessions they attend, as they stand right now."""
    content = build_calendar(
        personal_sessions(registration),
        name=emails.calendar_name(registration),
        language=registration.language,
        feed=True,
    )
    response = HttpResponse(content, content_type="text/calendar; charset=utf-8")
    response["Content-Disposition"] = downloads.attachment(emails.calendar_filename(registration))
    # Cache-Control comes from never_cache: private, no-store, no-cache.
    return response
