"""Programme changes as one registrant is told them: per session, what it was and what it is.

Several changes of one session since the person was last told are folded into
one line (first "before", last "after"): a session moved twice is announced
once, with its latest time, and a move that was undone before anyone was told
is not announced at all.
"""

from dataclasses import dataclass

from agenda.models import Session, SessionChange
from agenda.timezones import TimeRange, time_ranges


@dataclass
class NetChange:
    """What happened to one session over a run of changes."""

    session: Session
    kind: str
    old_start: object
    old_end: object
    new_start: object
    new_end: object

    # The rule of a recorded change, on the same four times.
    moved = SessionChange.moved

    @property
    def is_cancelled(self):
        return self.kind == SessionChange.Kind.CANCELLED

    @property
    def is_restored(self):
        return self.kind == SessionChange.Kind.RESTORED

    @property
    def kind_label(self):
        return SessionChange.Kind(self.kind).label


@dataclass
class NoticeLine:
    """A net change with its times printed in the event's display zones."""

    change: NetChange
    old_times: list[TimeRange]
    new_times: list[TimeRange]

    @property
    def session(self):
        return self.change.session


def net_changes(changes) -> list[NetChange]:
    """Fold ``changes`` (of any sessions) into one net change per session, in time order.

    Sessions whose changes cancel out (moved and moved back, cancelled and
    restored) are left out.
    """
    by_session: dict[int, list[SessionChange]] = {}
    for change in sorted(changes, key=lambda c: (c.changed_at, c.pk)):
        by_session.setdefault(change.session_id, []).append(change)
    result = []
    for runs in by_session.values():
        first, last = runs[0], runs[-1]
        if (first.old_start, first.old_end, first.old_status) == (
            last.new_start, last.new_end, last.new_status
        ):
            continue
        result.append(
            NetChange(
                session=last.session,
                kind=SessionChange.kind_between(first.old_status, last.new_status),
                old_start=first.old_start,
                old_end=first.old_end,
                new_start=last.new_start,
                new_end=last.new_end,
            )
        )
    result.sort(key=lambda net: (net.new_start, net.session.pk))
    return result


def notice_lines(changes, zone_names) -> list[NoticeLine]:
    """The lines of a change notice: net changes, times in ``zone_names``.

    Dates are written in the active language's format: call it inside
    ``translation.override`` (as the emails do).
    """
    return [
        NoticeLine(
            change=net,
            old_times=time_ranges(net.old_start, net.old_end, zone_names),
            new_times=time_ranges(net.new_start, net.new_end, zone_names),
        )
        for net in net_changes(changes)
    ]
