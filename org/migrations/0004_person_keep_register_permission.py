"""The records clerk's permission (ผู้ทำหน้าที่สารบรรณ): see the register of the units of one's positions
(issue 12, workflow.register). Only model options change: no table is touched, on PostgreSQL or SQLite."""

from django.db import migrations


class Migration(migrations.Migration):
    dependencies = [
        ("org", "0003_auth_tokens"),
    ]

    operations = [
        migrations.AlterModelOptions(
            name="person",
            options={
                "permissions": [
                    ("audit_memos", "Can read every memo and its history (auditor)"),
                    ("keep_register", "Keeps the register of the units of their positions (records clerk)"),
                ],
                "verbose_name": "person",
                "verbose_name_plural": "people",
            },
        ),
    ]
