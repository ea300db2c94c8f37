from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class SurveysConfig(AppConfig):
    name = "surveys"
    verbose_name = _("Surveys")

    def ready(self) -> None:
        # The analysis group's start-page items (surveys.attention_results).
        from surveys.attention_results import register_attention

        register_attention()
