from django.conf import settings
from django.db import migrations, models


class Migration(migrations.Migration):
    dependencies = [
        ("memos", "0007_memo_register_index"),
        ("org", "0003_auth_tokens"),
        ("viewflow", "0015_task_scheduled"),
        migrations.swappable_dependency(settings.AUTH_USER_MODEL),
    ]

    operations = [
        migrations.AddIndex(
            model_name="memo",
            index=models.Index(fields=["created_at", "id"], name="memo_created_id_idx"),
        ),
    ]
