from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class OrganisationsConfig(AppConfig):
    name = "organisations"
    verbose_name = _("Organisations")

    def ready(self) -> None:
        from django.db.models.signals import post_delete, post_save

        from core.attention import register, register_panel
        from organisations import access_stamp, followup_stamp
        from organisations.attention import municipal_admin_attention
        from organisations.models import Membership, Municipality, Role, Unit
        from organisations.start import contacts_attention, contacts_panels

        register(Role.MUNICIPAL_ADMIN, municipal_admin_attention)
        # The numbers school staff call (the intake, the emergency line), kept by the admin.
        register(Role.MUNICIPAL_ADMIN, contacts_attention)
        register_panel(Role.MUNICIPAL_ADMIN, contacts_panels)
        # A saved membership, unit or municipality restamps the users it concerns: their
        # memberships in the shared cache are not used again (organisations/access_stamp.py).
        for signal in (post_save, post_delete):
            signal.connect(access_stamp.membership_changed, sender=Membership)
            signal.connect(access_stamp.unit_changed, sender=Unit)
            signal.connect(access_stamp.municipality_changed, sender=Municipality)
            # A unit's name, pupils or activity is in its municipality's dashboard
            # (organisations/followup_stamp.py).
            signal.connect(followup_stamp.unit_saved, sender=Unit)
        post_save.connect(followup_stamp.municipality_saved, sender=Municipality)
