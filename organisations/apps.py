from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class OrganisationsConfig(AppConfig):
    name = "organisations"
    verbose_name = _("Organisations")

    def ready(self) -> None:
        from core.attention import register, register_panel
        from organisations.attention import municipal_admin_attention
        from organisations.models import Role
        from organisations.start import contacts_attention, contacts_panels

        register(Role.MUNICIPAL_ADMIN, municipal_admin_attention)
        # The numbers school staff call (the intake, the emergency line), kept by the admin.
        register(Role.MUNICIPAL_ADMIN, contacts_attention)
        register_panel(Role.MUNICIPAL_ADMIN, contacts_panels)
