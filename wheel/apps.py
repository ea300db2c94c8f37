from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class WheelConfig(AppConfig):
    name = "wheel"
    verbose_name = _("Annual wheel")

    def ready(self) -> None:
        from core.attention import register
        from organisations.models import Role
        from wheel.attention import coordinator_attention

        register(Role.COORDINATOR, coordinator_attention)
