"""URLs of reports of concern: the school side and the intake side live in their own modules."""

from reports.urls_intake import urlpatterns as intake_patterns
from reports.urls_school import urlpatterns as school_patterns

app_name = "reports"

urlpatterns = [*school_patterns, *intake_patterns]
