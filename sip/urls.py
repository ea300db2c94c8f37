"""The SIP pages: the plans and consents (``urls_plans``), network meetings, the printable
plan and reminders (``urls_meetings``)."""

from sip.urls_meetings import urlpatterns as meeting_patterns
from sip.urls_plans import urlpatterns as plan_patterns

app_name = "sip"
urlpatterns = [*plan_patterns, *meeting_patterns]
