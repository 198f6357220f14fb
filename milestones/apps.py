from django.apps import AppConfig


class MilestonesConfig(AppConfig):
    default_auto_field = "django.db.models.BigAutoField"
    name = "milestones"
    verbose_name = "ตัวชี้วัดและการประเมิน"

    def ready(self):
        from django.contrib.auth.signals import user_logged_in, user_logged_out

        from milestones.services.audit import record_login, record_logout

        # Signals, not the login/logout views: the admin site's own login and logout count too.
        user_logged_in.connect(record_login, dispatch_uid="milestones.services.audit.login")
        user_logged_out.connect(record_logout, dispatch_uid="milestones.services.audit.logout")
