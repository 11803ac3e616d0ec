"""Reading a programme file (CSV, XLSX or our schedule.json) into an event, all or nothing.

:func:`plan_import` reads the file and says, row by row, what importing it
would do (create, change, leave alone) or why it cannot (every bad row, with
its line number). :func:`apply_import` does it in one transaction, only when
no row is bad, and saves every session through ``agenda.services.save_session``
like the admin: moves and cancellations are recorded for the changelog and
reach registrants through the change notices. A row equal to what is stored
is not saved at all (no change record, no SEQUENCE rise).

Rows are matched by slug within the event. Sessions of the event that the
file does not mention are left as they are (a file is never a deletion).

CSV/XLSX columns are ``agenda.programme_export.COLUMNS``; ``track`` is the
English track name (its other languages are kept). A schedule.json document
(frab, as ``/events/<event>/schedule.json`` writes it) updates day, times,
title, abstract, room (track) and persons in the document's language; what
frab has no field for (capacity, other languages) is kept.
"""

import csv
import datetime as dt
import io
import json
import re
from dataclasses import dataclass, field

from django.db import transaction
from django.utils import translation
from django.utils.translation import gettext as _

from agenda import services, session_checks
from agenda.calendars import clean_text
from agenda.models import Event, Session, SessionSpeaker, Speaker
from agenda.programme_export import COLUMNS, TIME_FORMAT, speakers_cell

MAX_BYTES = 2 * 1024 * 1024
TEXT_FIELDS = [
    "title_en", "title_ja", "title_vi", "description_en", "description_ja", "description_vi",
    "track_en", "track_ja", "track_vi",
]
SLUG = re.compile(r"^[-a-zA-Z0-9_]+$")
LANGUAGES = ("en", "ja", "vi")


class ImportFileError(Exception):
    """The file as a whole cannot be read (format, encoding, header)."""


@dataclass
class RowError:
    line: int
    message: str

    def __str__(self):
        return _("Line %(line)d: %(message)s") % {"line": self.line, "message": self.message}


@dataclass
class PlannedRow:
    """What importing one row does."""

    line: int
    slug: str
    action: str  # "create", "change" or "unchanged"
    session: Session
    speakers: list | None  # [(Speaker, role), …] to set, or None to keep
    changed: list[str] = field(default_factory=list)
    warnings: list[str] = field(default_factory=list)


@dataclass
class ImportPlan:
    event: Event
    file_format: str
    rows: list[PlannedRow] = field(default_factory=list)
    errors: list[RowError] = field(default_factory=list)

    def of(self, action):
        return [row for row in self.rows if row.action == action]

    @property
    def created(self):
        return self.of("create")

    @property
    def changed(self):
        return self.of("change")

    @property
    def unchanged(self):
        return self.of("unchanged")

    @property
    def error_messages(self) -> list[str]:
        return [str(error) for error in self.errors]


# Reading files into raw rows: (line number, {column: text}) ---------------------

def detect_format(content: bytes) -> str:
    if content.startswith(b"PK\x03\x04"):
        return "xlsx"
    if content.lstrip(b"\xef\xbb\xbf \t\r\n").startswith(b"{"):
        return "json"
    return "csv"


def _check_header(header) -> list[str]:
    header = [("" if cell is None else str(cell)).strip() for cell in header]
    while header and not header[-1]:
        header.pop()
    missing = [column for column in COLUMNS if column not in header]
    unknown = [column for column in header if column not in COLUMNS]
    if missing or unknown:
        parts = []
        if missing:
            parts.append(_("missing columns: %(columns)s") % {"columns": ", ".join(missing)})
        if unknown:
            parts.append(_("unknown columns: %(columns)s") % {"columns": ", ".join(unknown)})
        raise ImportFileError(
            _("Line 1: %(problems)s. The columns are: %(columns)s.")
            % {"problems": "; ".join(parts), "columns": ", ".join(COLUMNS)}
        )
    return header


def _from_table(header, records):
    """Raw rows keyed by column; ``track`` becomes ``track_en``; blank rows skipped."""
    rows = []
    for line, cells in records:
        cells = ["" if cell is None else cell for cell in cells]
        if not any(str(cell).strip() for cell in cells):
            continue
        values = {column: cells[index] if index < len(cells) else ""
                  for index, column in enumerate(header)}
        values["track_en"] = values.pop("track")
        rows.append((line, values))
    return rows


def read_csv(content: bytes):
    try:
        text = content.decode("utf-8-sig")
    except UnicodeDecodeError:
        raise ImportFileError(_("The file is not UTF-8 text: save it as CSV UTF-8.")) from None
    reader = csv.reader(io.StringIO(text, newline=""))
    try:
        header = _check_header(next(reader))
    except StopIteration:
        raise ImportFileError(_("The file is empty.")) from None
    except csv.Error as error:
        raise ImportFileError(_("Line 1: %(error)s") % {"error": error}) from None
    records = []
    while True:
        line = reader.line_num + 1
        try:
            records.append((line, next(reader)))
        except StopIteration:
            break
        except csv.Error as error:
            raise ImportFileError(
                _("Line %(line)d: %(error)s") % {"line": line, "error": error}
            ) from None
    return _from_table(header, records)


def _xlsx_cell(value):
    # Spreadsheets turn typed times into datetimes and numbers into floats.
    if isinstance(value, dt.datetime):
        return value.strftime(TIME_FORMAT)
    if isinstance(value, float) and value.is_integer():
        return str(int(value))
    return "" if value is None else str(value)


def read_xlsx(content: bytes):
    from openpyxl import load_workbook

    try:
        workbook = load_workbook(io.BytesIO(content), read_only=True, data_only=True)
    except Exception:  # openpyxl raises many kinds for a damaged file
        raise ImportFileError(_("The file is not a readable XLSX workbook.")) from None
    sheet = workbook.worksheets[0]
    lines = sheet.iter_rows(values_only=True)
    try:
        header = _check_header(next(lines))
    except StopIteration:
        raise ImportFileError(_("The file is empty.")) from None
    records = [(number, [_xlsx_cell(value) for value in values])
               for number, values in enumerate(lines, start=2)]
    return _from_table(header, records)


def _json_language(document) -> str:
    for day in document["schedule"]["conference"].get("days", []):
        for events in day.get("rooms", {}).values():
            for item in events:
                match = re.search(r"/(en|ja|vi)/events/", str(item.get("url", "")))
                if match:
                    return match.group(1)
    return "en"


def _main_programme_names() -> set[str]:
    names = set()
    for code in LANGUAGES:
        with translation.override(code):
            names.add(_("Main programme"))
    return names


def _kind_from_label(label: str) -> str:
    for code in LANGUAGES:
        with translation.override(code):
            for value, name in Session.Kind.choices:
                if str(name) == label:
                    return value
    return ""


def _person_slug(person, speakers) -> str:
    """The slug of a frab person's speaker, or their name (reported as unknown)."""
    slug, names = speakers.get(person.get("id"), ("", set()))
    name = clean_text(person.get("name", ""))
    if slug and name in {clean_text(n) for n in names}:
        return slug
    return name or str(person.get("id"))


def read_json(content: bytes, event: Event):
    """Rows from a schedule.json document; each event item counts as one line (1, 2, …)."""
    try:
        document = json.loads(content.decode("utf-8-sig"))
        conference = document["schedule"]["conference"]
        days = conference["days"]
    except (UnicodeDecodeError, ValueError, KeyError, TypeError):
        raise ImportFileError(
            _("The file is not a schedule.json document (frab format).")
        ) from None
    language = _json_language(document)
    main = _main_programme_names()
    zone = event.reference_zone
    # Persons carry the speaker's id and name: the id finds the speaker only
    # when the name is one of theirs (a document from another site must not
    # link a stranger).
    speakers = {
        pk: (slug, {name for name in names if name})
        for pk, slug, *names in Speaker.objects.values_list(
            "pk", "slug", "name_en", "name_ja", "name_vi"
        )
    }
    rows = []
    line = 0
    for day in days:
        for room, items in (day.get("rooms") or {}).items():
            for item in items:
                line += 1
                values = {"day": str(day.get("index", ""))}
                url = str(item.get("url", ""))
                match = re.search(r"/sessions/([^/]+)/?$", url)
                values["slug"] = match.group(1) if match else str(item.get("slug", ""))
                try:
                    start = dt.datetime.fromisoformat(item["date"]).astimezone(zone)
                    hours, minutes = (int(part) for part in item["duration"].split(":"))
                    end = start + dt.timedelta(hours=hours, minutes=minutes)
                    values["start"] = start.strftime(TIME_FORMAT)
                    values["end"] = end.strftime(TIME_FORMAT)
                except (KeyError, ValueError, TypeError, AttributeError):
                    values["start"] = str(item.get("date", ""))
                    values["end"] = "?"
                kind = _kind_from_label(str(item.get("track", "")))
                if kind:
                    values["kind"] = kind
                values[f"title_{language}"] = str(item.get("title", ""))
                values[f"description_{language}"] = str(item.get("abstract", ""))
                values[f"track_{language}"] = "" if room in main else room
                values["speakers"] = "; ".join(
                    f"{_person_slug(person, speakers)}:{person.get('role', 'speaker')}"
                    for person in item.get("persons", [])
                )
                rows.append((line, values))
    return rows


def read_rows(content: bytes, event: Event, file_format: str):
    if len(content) > MAX_BYTES:
        raise ImportFileError(
            _("The file is larger than %(size)d MB.") % {"size": MAX_BYTES // (1024 * 1024)}
        )
    if file_format == "xlsx":
        return read_xlsx(content)
    if file_format == "json":
        return read_json(content, event)
    return read_csv(content)


# Checking rows against the event --------------------------------------------------

def _choice(raw, allowed, errors, message):
    """The cell's value if it is one of ``allowed``; otherwise ``message`` joins the errors."""
    value = str(raw).strip()
    if value in allowed:
        return value
    errors.append(message % {"value": value, "choices": ", ".join(allowed)})
    return None


def _parse_time(text, zone):
    local = dt.datetime.strptime(str(text).strip(), TIME_FORMAT)
    return local.replace(tzinfo=zone).astimezone(dt.UTC)


def _parse_speakers(text, by_slug, roles, errors):
    links = []
    for part in [p.strip() for p in str(text).split(";") if p.strip()]:
        slug, _colon, role = part.partition(":")
        slug, role = slug.strip(), (role.strip() or SessionSpeaker.Role.SPEAKER)
        speaker = by_slug.get(slug)
        if speaker is None:
            errors.append(_("unknown speaker “%(slug)s”.") % {"slug": slug})
        elif role not in roles:
            errors.append(_("unknown speaker role “%(role)s” (one of %(roles)s).")
                          % {"role": role, "roles": ", ".join(roles)})
        else:
            links.append((speaker, role))
    return links


def _shown_as(existing, name) -> str:
    """A stored text as schedule.json shows it: English fallback, cleaned like the feed."""
    base, _sep, code = name.rpartition("_")
    value = getattr(existing, name) or getattr(existing, f"{base}_en") or ""
    return clean_text(value, multiline=base == "description")


def _row_session(event, values, existing, days, by_slug, errors, *, as_shown=False):
    """The session as the row wants it (unsaved), and its speakers (None: keep).

    ``as_shown``: the texts come from schedule.json, which shows the English
    text where a translation is missing and cleans line breaks; a text equal
    to how the stored one is shown is kept as stored.
    """
    zone = event.reference_zone
    session = Session(event=event) if existing is None else Session.objects.get(pk=existing.pk)
    if existing is None:
        session.status = Session.Status.SCHEDULED
    if "day" in values:
        day = days.get(str(values["day"]).strip())
        if day is None:
            errors.append(_("unknown day “%(day)s” (the event has days %(days)s).")
                          % {"day": values["day"], "days": ", ".join(days) or "–"})
        else:
            session.day = day
    elif existing is None:
        errors.append(_("no day."))
    for name in ("start", "end"):
        if name in values:
            try:
                setattr(session, name, _parse_time(values[name], zone))
            except ValueError:
                errors.append(_("bad %(column)s time “%(value)s”: write YYYY-MM-DD HH:MM.")
                              % {"column": name, "value": values[name]})
    if "kind" in values:
        session.kind = _choice(values["kind"], Session.Kind.values, errors,
                               _("unknown kind “%(value)s” (one of %(choices)s).")) or session.kind
    elif existing is None:
        session.kind = Session.Kind.OTHER
    if "status" in values:
        session.status = _choice(
            values["status"], Session.Status.values, errors,
            _("unknown status “%(value)s” (one of %(choices)s)."),
        ) or session.status
    if "capacity" in values:
        text = str(values["capacity"]).strip()
        if not text:
            session.capacity = None
        elif text.isdigit():
            session.capacity = int(text)
        else:
            errors.append(_("bad capacity “%(value)s”: a whole number, or empty for no limit.")
                          % {"value": text})
    for name in TEXT_FIELDS:
        if name in values:
            if as_shown and existing is not None and _shown_as(existing, name) == values[name]:
                continue
            setattr(session, name, str(values[name]))
    if not (session.title_en or "").strip():
        errors.append(_("no English title (title_en)."))
    speakers = None
    if "speakers" in values:
        speakers = _parse_speakers(values["speakers"], by_slug,
                                   SessionSpeaker.Role.values, errors)
    if session.start and session.end and session.end <= session.start:
        errors.append(_("the session must end after it starts."))
    return session, speakers


_COMPARED = ["day_id", "start", "end", "kind", "status", "capacity", *TEXT_FIELDS]


def _differences(session, existing, speakers) -> list[str]:
    changed = [name.removesuffix("_id") for name in _COMPARED
               if getattr(session, name) != getattr(existing, name)]
    if speakers is not None:
        stored = [(link.speaker_id, link.role) for link in
                  existing.session_speakers.order_by("order", "id")]
        if stored != [(speaker.pk, role) for speaker, role in speakers]:
            changed.append("speakers")
    return changed


def _overlaps(plan, event, errors_by_line):
    """Two sessions on one track at once, in the programme as it would be after the import."""
    planned = {row.slug: row for row in plan.rows}
    final = [row.session for row in plan.rows]
    final += [s for s in Session.objects.filter(event=event) if s.slug not in planned]
    by_track = {}
    for session in final:
        if session.status != Session.Status.CANCELLED and session.start and session.end:
            by_track.setdefault(session.track_en or "", []).append(session)
    for track, sessions in by_track.items():
        sessions.sort(key=lambda s: (s.start, s.end))
        for index, session in enumerate(sessions):
            for other in sessions[index + 1:]:
                if other.start >= session.end:
                    break
                for mine, theirs in ((session, other), (other, session)):
                    row = planned.get(mine.slug)
                    if row is not None:
                        errors_by_line.setdefault(row.line, []).append(
                            _("overlaps “%(other)s” on %(track)s.")
                            % {"other": theirs.title_en,
                               "track": track or _("the main programme")}
                        )


def plan_import(event: Event, content: bytes, file_format: str | None = None) -> ImportPlan:
    """What importing ``content`` into ``event`` would do; ``errors`` lists every bad row.

    Raises ImportFileError when the file as a whole cannot be read.
    """
    file_format = file_format or detect_format(content)
    raw_rows = read_rows(content, event, file_format)
    plan = ImportPlan(event=event, file_format=file_format)
    days = {str(day.number): day for day in event.days.all()}
    for day in days.values():
        day.event = event
    existing = {session.slug: session for session in Session.objects.filter(event=event)}
    by_slug = {speaker.slug: speaker for speaker in Speaker.objects.all()}
    errors_by_line: dict[int, list[str]] = {}
    seen: dict[str, int] = {}
    for line, values in raw_rows:
        errors = errors_by_line.setdefault(line, [])
        slug = str(values.get("slug", "")).strip()
        if not SLUG.match(slug):
            errors.append(_("bad slug “%(slug)s”: letters, digits, hyphens and underscores.")
                          % {"slug": slug})
            continue
        if slug in seen:
            errors.append(_("the slug “%(slug)s” is on line %(line)d already.")
                          % {"slug": slug, "line": seen[slug]})
            continue
        seen[slug] = line
        values["slug"] = slug
        stored = existing.get(slug)
        session, speakers = _row_session(event, values, stored, days, by_slug, errors,
                                         as_shown=file_format == "json")
        session.slug = slug
        if stored is None:
            action, changed = "create", []
        else:
            changed = _differences(session, stored, speakers)
            action = "change" if changed else "unchanged"
        row = PlannedRow(line=line, slug=slug, action=action, session=session,
                         speakers=speakers, changed=changed)
        if not errors and session.day_id and session.status != Session.Status.CANCELLED:
            warning = session_checks.outside_day(session.day, session.start, session.end)
            if warning:
                row.warnings.append(warning)
        plan.rows.append(row)
    if not any(errors_by_line.values()):
        _overlaps(plan, event, errors_by_line)
    plan.errors = [RowError(line, message) for line, messages in sorted(errors_by_line.items())
                   for message in messages]
    return plan


class ImportRefused(Exception):
    """The file has bad rows: nothing was imported."""

    def __init__(self, plan):
        super().__init__("\n".join(plan.error_messages))
        self.plan = plan


def apply_import(event: Event, content: bytes, file_format: str | None = None, *,
                 changed_by=None) -> ImportPlan:
    """Import ``content`` into ``event`` in one transaction, or raise ImportRefused.

    Planned again inside the transaction, so what is saved is checked
    against the programme as it is now.
    """
    with transaction.atomic():
        # Lock the event's sessions: two imports at once cannot interleave.
        list(Session.objects.select_for_update().filter(event=event).values_list("pk"))
        plan = plan_import(event, content, file_format)
        if plan.errors:
            raise ImportRefused(plan)
        for row in plan.rows:
            if row.action == "unchanged":
                continue
            services.save_session(row.session, changed_by=changed_by)
            if row.speakers is not None and (row.action == "create" or "speakers" in row.changed):
                SessionSpeaker.objects.filter(session=row.session).delete()
                for order, (speaker, role) in enumerate(row.speakers, start=1):
                    SessionSpeaker.objects.create(session=row.session, speaker=speaker,
                                                  role=role, order=order)
    return plan


__all__ = ["ImportFileError", "ImportPlan", "ImportRefused", "apply_import", "plan_import",
           "speakers_cell"]
