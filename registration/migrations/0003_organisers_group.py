"""The "Organisers" group: edit the programme, view registrations (and run their actions).

ORGANISER_PERMISSIONS below is the one list of what the group may do. A later
migration that adds a model organisers should manage extends it by importing
it, adding its own entries and calling ``set_permissions`` again, e.g.::

    from importlib import import_module

    organisers = import_module("registration.migrations.0003_organisers_group")
    PERMISSIONS = organisers.ORGANISER_PERMISSIONS + [("agenda", "view_newmodel")]

    def forwards(apps, schema_editor):
        organisers.set_permissions(apps, PERMISSIONS, schema_editor.connection.alias)

No auth permissions (users, groups): organiser accounts are made by a superuser.
The admin actions on registrations (export, resend, cancel, promote) need only
the view permission, see ``registration/admin.py``.
"""

from django.apps import apps as global_apps
from django.contrib.auth.management import create_permissions
from django.db import DEFAULT_DB_ALIAS, migrations

GROUP_NAME = "Organisers"

PROGRAMME_MODELS = [
    "event", "day", "session", "speaker", "sessionspeaker", "organisation", "eventorganisation",
]
REGISTRATION_MODELS = ["registration", "sessionchoice", "remindersent", "changenotice"]

# (app label, codename) pairs.
ORGANISER_PERMISSIONS = [
    ("agenda", f"{action}_{model}")
    for model in PROGRAMME_MODELS
    for action in ("add", "change", "delete", "view")
] + [("registration", f"view_{model}") for model in REGISTRATION_MODELS] + [
    # The record of programme changes is written by the admin itself, never by hand.
    ("agenda", "view_sessionchange"),
]


def set_permissions(apps, permissions, using=DEFAULT_DB_ALIAS):
    """Create the group if needed and give it exactly ``permissions``.

    On a fresh database the permissions do not exist yet (Django creates them
    after the last migration, in post_migrate), so they are created here
    first, from the models as they are at this point of the migrations.
    Tests that flush the database call it with the global ``apps`` to put
    the group back.
    """
    for label in sorted({app_label for app_label, _codename in permissions}):
        create_permissions(global_apps.get_app_config(label), verbosity=0, apps=apps, using=using)
    Group = apps.get_model("auth", "Group")
    Permission = apps.get_model("auth", "Permission")
    found = []
    for app_label, codename in permissions:
        # .get(): a missing permission must stop the migration, not be skipped.
        found.append(Permission.objects.using(using).get(
            content_type__app_label=app_label, codename=codename
        ))
    group, _created = Group.objects.using(using).get_or_create(name=GROUP_NAME)
    group.permissions.set(found)


def create_group(apps, schema_editor):
    set_permissions(apps, ORGANISER_PERMISSIONS, schema_editor.connection.alias)


def remove_group(apps, schema_editor):
    Group = apps.get_model("auth", "Group")
    Group.objects.using(schema_editor.connection.alias).filter(name=GROUP_NAME).delete()


class Migration(migrations.Migration):

    dependencies = [
        ("auth", "0012_alter_user_first_name_max_length"),
        ("contenttypes", "0002_remove_content_type_name"),
        ("agenda", "0002_sessionchange"),
        ("registration", "0002_changenotice"),
    ]

    operations = [
        migrations.RunPython(create_group, remove_group),
    ]
