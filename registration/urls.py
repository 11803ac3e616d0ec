"""Public registration pages (under the language prefix)."""

app_name = "registration"
urlpatterns = []
