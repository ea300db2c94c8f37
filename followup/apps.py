from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class FollowupConfig(AppConfig):
    name = "followup"
    verbose_name = _("Follow-up")
    default_auto_field = "django.db.models.BigAutoField"

    def ready(self) -> None:
        from core.attention import register_panel
        from followup import start
        from organisations.models import Role

        register_panel(Role.BOARD_MEMBER, start.board_panels)
        register_panel(Role.COORDINATOR, start.coordinator_panels)
        register_panel(Role.MANAGER, start.manager_panels)
        register_panel(Role.PRINCIPAL, start.principal_panels)
        register_panel(Role.INTAKE, start.intake_panels)
        register_panel(Role.AUDITOR, start.auditor_panels)
