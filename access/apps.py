from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class AccessConfig(AppConfig):
    name = "access"
    verbose_name = _("Access and logging")

    def ready(self) -> None:
        from access.selectors import log_review_attention
        from core.attention import register
        from organisations.models import Role

        register(Role.MUNICIPAL_ADMIN, log_review_attention)
