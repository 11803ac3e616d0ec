from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class AgendaConfig(AppConfig):
    name = "agenda"
    verbose_name = _("Programme")

    def ready(self):
        # Edits to the programme make its cached pages stale (forum_site/pagecache).
        from agenda import signals

        signals.connect()
