"""Load the demo data of every app (idempotent) and print how to log in."""

import os
from importlib import import_module
from typing import Any

from django.apps import apps
from django.conf import settings
from django.core.management.base import BaseCommand, CommandError
from django.utils import timezone

from organisations.demo import DEMO_PASSWORD


class Command(BaseCommand):
    help = "Load demo data for Leksand and Eksjö. Running it again changes nothing."

    def add_arguments(self, parser: Any) -> None:
        parser.add_argument(
            "--force", action="store_true", help="Load even when DEMO_MODE is off (tests)."
        )

    def handle(self, *args: Any, **options: Any) -> None:
        if not settings.DEMO_MODE and not options["force"]:
            raise CommandError("Demo data is only loaded with DEMO_MODE=1 (it is not real data).")
        today = timezone.localdate()
        usernames: list[str] = []
        # Each app may have a `demo` module with `load(today=...)`; apps load in INSTALLED_APPS
        # order so later apps can build on the organisations, except the follow-up, which
        # loads last: its summary tables and board reports count every other app's data.
        configs = sorted(apps.get_app_configs(), key=lambda config: config.name == "followup")
        for config in configs:
            try:
                module = import_module(f"{config.name}.demo")
            except ModuleNotFoundError as error:
                if error.name != f"{config.name}.demo":
                    raise
                continue
            result = module.load(today=today)
            if config.name == "organisations":
                usernames = result
        self.stdout.write(self.style.SUCCESS("Demo data is ready."))
        port = os.environ.get("PORT", "8000")
        self.stdout.write(f"Log in at http://127.0.0.1:{port}/ with the password: {DEMO_PASSWORD}")
        self.stdout.write("Users: " + ", ".join(usernames))
