from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class OrganisationsConfig(AppConfig):
    name = "organisations"
    verbose_name = _("Organisations")

    def ready(self) -> None:
        from core.attention import register
        from organisations.attention import municipal_admin_attention
        from organisations.models import Role

        register(Role.MUNICIPAL_ADMIN, municipal_admin_attention)
