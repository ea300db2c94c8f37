from django.apps import AppConfig


class DatagenConfig(AppConfig):
    """The benchmark's data generator (``manage.py generate``); it has no models."""

    default_auto_field = "django.db.models.BigAutoField"
    name = "datagen"
    verbose_name = "Data generator"
