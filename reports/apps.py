from typing import TYPE_CHECKING

from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _

if TYPE_CHECKING:
    from organisations.models import User


def has_any_report(user: "User") -> bool:
    """Two-factor trigger: the user has written a report, a draft included.

    The author can read what they wrote for as long as the report exists (drafts to edit,
    submitted ones to follow), whichever roles they hold today, so neither the status nor the
    user's current roles may switch it off.
    """
    from reports.models import ConcernReport

    return ConcernReport.objects.filter(author=user).exists()


class ReportsConfig(AppConfig):
    name = "reports"
    verbose_name = _("Reports of concern")

    def ready(self) -> None:
        from core.attention import register, register_panel
        from core.security import register_two_factor_trigger
        from organisations.models import Role
        from reports.attention import intake_attention, reporter_attention
        from reports.start import principal_panels, reporter_panels

        # Whoever has written a report can read it: two-factor from the first draft on.
        register_two_factor_trigger(has_any_report)

        register(Role.INTAKE, intake_attention)
        for role in (
            Role.REPORTER,
            Role.STUDENT_HEALTH,
            Role.MEDICAL_STUDENT_HEALTH,
            Role.PRINCIPAL,
        ):
            register(role, reporter_attention)
            register_panel(role, reporter_panels)
        register_panel(Role.PRINCIPAL, principal_panels)
