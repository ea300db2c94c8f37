from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class AuditsConfig(AppConfig):
    name = "audits"
    verbose_name = _("Audits")

    def ready(self) -> None:
        from audits.attention import ATTENTION_ROLES, overdue_attention
        from core.attention import register

        for role in ATTENTION_ROLES:
            register(role, overdue_attention)
