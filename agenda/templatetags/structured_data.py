"""Link previews (Open Graph) and the JSON-LD a view prepared (``agenda/structured_data.py``)."""

from django import template
from django.utils.translation import get_language

from agenda import structured_data

register = template.Library()

OPEN_GRAPH_LOCALES = {"en": "en_GB", "ja": "ja_JP", "vi": "vi_VN"}


@register.simple_tag
def json_ld(data):
    """The view's schema.org data as a ``<script>`` element; nothing when there is none."""
    return structured_data.json_ld_script(data) if data else ""


@register.simple_tag(takes_context=True)
def page_url(context):
    """The page's absolute address without its query string (for og:url)."""
    request = context["request"]
    return request.build_absolute_uri(request.path)


@register.simple_tag
def open_graph_locale():
    return OPEN_GRAPH_LOCALES.get(get_language(), "en_GB")


@register.simple_tag
def open_graph_alternate_locales():
    current = get_language()
    return [locale for code, locale in OPEN_GRAPH_LOCALES.items() if code != current]
