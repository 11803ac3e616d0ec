"""Organisers see the outbox: every email sent to registrants, its state and
delivery log (django-post_office, registration/emails.py), and may requeue or
resend one (which needs the change permission)."""

from importlib import import_module

from django.db import migrations

organisers = import_module("registration.migrations.0003_organisers_group")

GROUP_NAME = organisers.GROUP_NAME
set_permissions = organisers.set_permissions
ORGANISER_PERMISSIONS = organisers.ORGANISER_PERMISSIONS + [
    ("post_office", "view_email"),
    ("post_office", "change_email"),
    ("post_office", "view_log"),
]


def forwards(apps, schema_editor):
    organisers.set_permissions(apps, ORGANISER_PERMISSIONS, schema_editor.connection.alias)


def backwards(apps, schema_editor):
    organisers.set_permissions(
        apps, organisers.ORGANISER_PERMISSIONS, schema_editor.connection.alias
    )


class Migration(migrations.Migration):

    dependencies = [
        ("post_office", "0014_alter_email_recipient_delivery_status_and_more"),
        ("registration", "0004_registration_email"),
    ]

    operations = [migrations.RunPython(forwards, backwards)]
