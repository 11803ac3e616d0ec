"""Private links stored as digests only; public ids for confirmation links; an outbox
organisers can read and requeue but not redirect.

Existing registrations keep their digest (their links keep working) and lose
the clear token. They get no salt, so the site cannot rebuild their link: the
next email that carries it issues a fresh one (registration/emails.py).
Organisers lose ``post_office.change_email``: with it they could rewrite a
queued email's recipients.
"""

import uuid
from importlib import import_module

from django.db import migrations, models

organisers = import_module("registration.migrations.0003_organisers_group")
outbox = import_module("registration.migrations.0005_organisers_see_emails")

GROUP_NAME = organisers.GROUP_NAME
set_permissions = organisers.set_permissions
ORGANISER_PERMISSIONS = [
    permission for permission in outbox.ORGANISER_PERMISSIONS
    if permission != ("post_office", "change_email")
]


def give_public_ids(apps, schema_editor):
    Registration = apps.get_model("registration", "Registration")
    for registration in Registration.objects.only("pk").iterator():
        Registration.objects.filter(pk=registration.pk).update(public_id=uuid.uuid4())


def permissions_forwards(apps, schema_editor):
    organisers.set_permissions(apps, ORGANISER_PERMISSIONS, schema_editor.connection.alias)


def permissions_backwards(apps, schema_editor):
    organisers.set_permissions(apps, outbox.ORGANISER_PERMISSIONS, schema_editor.connection.alias)


class Migration(migrations.Migration):

    dependencies = [
        ("registration", "0005_organisers_see_emails"),
    ]

    operations = [
        migrations.AddField(
            model_name="registration",
            name="public_id",
            field=models.UUIDField(editable=False, null=True),
        ),
        migrations.RunPython(give_public_ids, migrations.RunPython.noop),
        migrations.AlterField(
            model_name="registration",
            name="public_id",
            field=models.UUIDField(default=uuid.uuid4, editable=False, unique=True),
        ),
        migrations.AddField(
            model_name="registration",
            name="token_salt",
            field=models.CharField(blank=True, editable=False, max_length=32),
        ),
        # The digest stays: links already emailed keep working.
        migrations.RemoveField(model_name="registration", name="token"),
        migrations.RunPython(permissions_forwards, permissions_backwards),
    ]
