import secrets

from django.db import migrations, models

import qingshan.portal.models


def fill_tokens(apps, schema_editor):
    Subscription = apps.get_model("portal", "Subscription")
    for sub in Subscription.objects.filter(token__isnull=True):
        sub.token = secrets.token_hex(16)
        sub.save(update_fields=["token"])


class Migration(migrations.Migration):
    dependencies = [("portal", "0001_initial")]

    operations = [
        migrations.AddField(
            model_name="subscription", name="token",
            field=models.CharField(editable=False, max_length=32, null=True),
        ),
        migrations.RunPython(fill_tokens, migrations.RunPython.noop),
        migrations.AlterField(
            model_name="subscription", name="token",
            field=models.CharField(default=qingshan.portal.models._new_token, editable=False, max_length=32, unique=True),
        ),
        migrations.AddField(
            model_name="outbox", name="sent_at",
            field=models.DateTimeField(blank=True, null=True, verbose_name="sent at"),
        ),
        migrations.AddField(
            model_name="outbox", name="attempts",
            field=models.PositiveSmallIntegerField(default=0, verbose_name="attempts"),
        ),
        migrations.AddField(
            model_name="outbox", name="error",
            field=models.CharField(blank=True, max_length=300, verbose_name="last error"),
        ),
    ]
