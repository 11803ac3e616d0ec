"""Form widgets shared by the apps."""

from django import forms
from django.forms.utils import flatatt
from django.utils.html import escape, format_html
from django.utils.safestring import mark_safe


class LongSelect(forms.Select):
    """A ``<select>`` of many flat choices (the countries), written in one pass.

    The same HTML as Django's ``Select``, without rendering a template for
    every option: through the widget templates, the sign-up form's ~250
    countries took most of the time of every sign-up page and POST.
    """

    def render(self, name, value, attrs=None, renderer=None):
        selected = set(self.format_value(value))
        options = []
        for choice_value, label in self.choices:
            choice_value = "" if choice_value is None else str(choice_value)
            mark = " selected" if choice_value in selected else ""
            options.append(f'<option value="{escape(choice_value)}"{mark}>{escape(label)}</option>')
        opening = format_html("<select{}>", flatatt({**self.build_attrs(self.attrs, attrs),
                                                      "name": name}))
        return mark_safe(f"{opening}\n{''.join(options)}\n</select>")  # escaped parts only
