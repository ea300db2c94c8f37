from django.apps import AppConfig


class BenchConfig(AppConfig):
    """The benchmark's reference pages, SQL-figure headers and background timings (issue 13).

    Nothing here is served or active unless ``BENCH_REFERENCES`` is on (see ``bench/README.md``).
    """

    name = "bench"
    default_auto_field = "django.db.models.BigAutoField"
