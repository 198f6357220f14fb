"""On PostgreSQL the database itself refuses UPDATE and DELETE on the audit log,
so not even a raw query or a bug in the ORM layer can rewrite history."""

from django.db import migrations

FORWARD = """
CREATE OR REPLACE FUNCTION milestones_auditevent_append_only() RETURNS trigger AS $$
BEGIN
    RAISE EXCEPTION 'milestones_auditevent is append-only';
END;
$$ LANGUAGE plpgsql;
CREATE TRIGGER milestones_auditevent_no_update_delete
    BEFORE UPDATE OR DELETE ON milestones_auditevent
    FOR EACH ROW EXECUTE FUNCTION milestones_auditevent_append_only();
"""
BACKWARD = """
DROP TRIGGER IF EXISTS milestones_auditevent_no_update_delete ON milestones_auditevent;
DROP FUNCTION IF EXISTS milestones_auditevent_append_only();
"""


def forward(apps, schema_editor):
    if schema_editor.connection.vendor == "postgresql":
        schema_editor.execute(FORWARD)


def backward(apps, schema_editor):
    if schema_editor.connection.vendor == "postgresql":
        schema_editor.execute(BACKWARD)


class Migration(migrations.Migration):
    dependencies = [("milestones", "0001_initial")]
    operations = [migrations.RunPython(forward, backward)]
