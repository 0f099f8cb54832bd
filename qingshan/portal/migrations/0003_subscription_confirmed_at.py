from django.db import migrations, models


class Migration(migrations.Migration):
    dependencies = [("portal", "0002_delivery")]

    operations = [
        migrations.AddField(
            model_name="subscription", name="confirmed_at",
            field=models.DateTimeField(blank=True, null=True, verbose_name="confirmed at"),
        ),
    ]
