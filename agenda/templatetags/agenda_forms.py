"""Template tags for the agenda's filter form."""

from django import template
from django.utils.html import escape
from django.utils.safestring import mark_safe

register = template.Library()


@register.simple_tag
def select_options(bound_field):
    """The ``<option>`` elements of a choice field, its current value selected.

    Written in one pass rather than through Django's widget templates: a big
    programme's speaker filter has hundreds of options, and rendering each
    through a template took longer than the rest of the agenda page.
    """
    current = bound_field.value()
    current = "" if current is None else str(current)
    parts = []
    for value, label in bound_field.field.choices:
        value = str(value)
        selected = " selected" if value == current else ""
        parts.append(f'<option value="{escape(value)}"{selected}>{escape(label)}</option>')
    return mark_safe("".join(parts))  # built from escaped parts only
