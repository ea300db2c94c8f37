from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class GovernanceConfig(AppConfig):
    name = "governance"
    verbose_name = _("Governance documents")

    def ready(self) -> None:
        from core.attention import register
        from governance.attention import (
            MANAGER_ORDER,
            document_alert_attention,
            read_confirmation_attention,
        )
        from governance.rules import STAFF_ROLES

        # Each provider shows its items once per user, in the first of these sections the
        # user has (see governance.attention).
        for manager_role in MANAGER_ORDER:
            register(manager_role, document_alert_attention)
        for staff_role in STAFF_ROLES:
            register(staff_role, read_confirmation_attention)
