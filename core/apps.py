from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class CoreConfig(AppConfig):
    name = "core"
    verbose_name = _("Web shell")

    def ready(self) -> None:
        from allauth.mfa.signals import authenticator_added, authenticator_removed
        from django.db.models.signals import post_delete, post_save

        from core.models import Notification
        from core.notifications import notification_changed
        from core.receivers import end_other_sessions, forget_two_factor_seen

        for signal in (post_save, post_delete):
            signal.connect(notification_changed, sender=Notification)

        authenticator_removed.connect(forget_two_factor_seen, dispatch_uid="forget_two_factor")
        authenticator_added.connect(end_other_sessions, dispatch_uid="end_other_sessions")
