from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class ReportsConfig(AppConfig):
    name = "reports"
    verbose_name = _("Reports of concern")

    def ready(self) -> None:
        from core.attention import register
        from core.security import register_two_factor_trigger
        from organisations.models import Role
        from reports.attention import intake_attention, reporter_attention
        from reports.selectors import has_filed_reports

        # A reporter who has filed reports can read them: two-factor from then on.
        register_two_factor_trigger(has_filed_reports)

        register(Role.INTAKE, intake_attention)
        for role in (
            Role.REPORTER,
            Role.STUDENT_HEALTH,
            Role.MEDICAL_STUDENT_HEALTH,
            Role.PRINCIPAL,
        ):
            register(role, reporter_attention)
