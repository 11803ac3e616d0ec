"""A registrant's personal calendar feed (no language prefix)."""

app_name = "registration_feeds"
urlpatterns = []
