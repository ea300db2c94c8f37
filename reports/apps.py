from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class ReportsConfig(AppConfig):
    name = "reports"
    verbose_name = _("Reports of concern")

    def ready(self) -> None:
        from core.attention import register
        from organisations.models import Role
        from reports.attention import intake_attention, reporter_attention

        register(Role.INTAKE, intake_attention)
        for role in (
            Role.REPORTER,
            Role.STUDENT_HEALTH,
            Role.MEDICAL_STUDENT_HEALTH,
            Role.PRINCIPAL,
        ):
            register(role, reporter_attention)
