from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class FollowupConfig(AppConfig):
    name = "followup"
    verbose_name = _("Follow-up")
    default_auto_field = "django.db.models.BigAutoField"

    def ready(self) -> None:
        from core.attention import register, register_panel
        from followup import stamps, start
        from followup.board_attention import (
            READER_ORDER,
            coordinator_report_attention,
            latest_report_panels,
            published_report_attention,
        )
        from organisations.models import Role

        # Changes to what the dashboard reads renew the municipality's follow-up stamp.
        stamps.connect()

        # The board report's start-page items (followup.board_attention).
        for reader_role in READER_ORDER:
            register(reader_role, published_report_attention)
        register(Role.COORDINATOR, coordinator_report_attention)
        for reader_role in READER_ORDER:
            register_panel(reader_role, latest_report_panels)

        # The follow-up's start-page panels per role (followup.start).
        register_panel(Role.BOARD_MEMBER, start.board_panels)
        register_panel(Role.COORDINATOR, start.coordinator_panels)
        register_panel(Role.MANAGER, start.manager_panels)
        register_panel(Role.PRINCIPAL, start.principal_panels)
        register_panel(Role.INTAKE, start.intake_panels)
        register_panel(Role.AUDITOR, start.auditor_panels)
        register_panel(Role.MUNICIPAL_ADMIN, start.municipal_admin_panels)
