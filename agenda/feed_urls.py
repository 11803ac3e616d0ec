"""Machine-readable feeds of the programme (no language prefix)."""

app_name = "feeds"
urlpatterns = []
