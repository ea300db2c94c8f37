from allauth.account.decorators import secure_admin_login
from django.contrib import admin
from django.contrib.auth.decorators import login_not_required
from django.urls import include, path
from django.views.i18n import set_language

from operations.views import metrics

# The Django admin logs in through allauth too, so that rate limits and two-factor apply.
admin.site.login = secure_admin_login(admin.site.login)  # type: ignore[method-assign]

urlpatterns = [
    path("", include("core.urls")),
    # The language switch is in every page's header, the login page too: it must work anonymously.
    path("i18n/setlang/", login_not_required(set_language), name="set_language"),
    path("accounts/", include("allauth.urls")),
    path("organisation/", include("organisations.urls")),
    path("access/", include("access.urls")),
    path("anmalan/", include("reports.urls")),
    path("arshjul/", include("wheel.urls")),
    path("styrdokument/", include("governance.urls")),
    path("revision/", include("audits.urls")),
    path("aterrapportering/", include("followup.board_urls")),
    path("uppfoljning/", include("followup.urls")),
    path("sip/", include("sip.urls")),
    path("enkater/resultat/", include("surveys.urls_results")),
    path("enkater/", include("surveys.urls")),
    path("svar/", include("surveys.urls_public")),
    path("utbildning/", include("training.urls")),
    path("gallring/", include("retention.urls")),
    path("django-admin/", admin.site.urls),
    path("metrics", metrics, name="metrics"),
    # 404 unless BENCH_REFERENCES is on (bench/views.py).
    path("bench/", include("bench.urls")),
]
# Uploaded files are never served as static media: attachments are read only through views
# that check the policy and write the access log.
