from django.apps import AppConfig


class EvidenceConfig(AppConfig):
    default_auto_field = "django.db.models.BigAutoField"
    name = "evidence"
    verbose_name = "หลักฐาน"

    def ready(self):
        # The step kinds register their names with milestones.step_kinds, so that rubric files
        # and the admin accept them (milestones never imports evidence).
        import evidence.kinds  # noqa: F401
