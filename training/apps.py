from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class TrainingConfig(AppConfig):
    name = "training"
    verbose_name = _("Training")

    def ready(self) -> None:
        # The indicators of training and of the surveys join the follow-up's catalogue.
        from followup.catalogue import register
        from surveys.indicators import SURVEY_INDICATORS
        from training.indicators import TRAINING_INDICATORS

        for indicator in (*TRAINING_INDICATORS, *SURVEY_INDICATORS):
            register(indicator)
