"""Pages of the follow-up: the dashboard, the indicator catalogue, the exports, the
coordinator's targets and the municipal admin's consent to be named in comparisons.

The municipality is loaded through ``followup_policy`` (no query: memberships are cached per
request): another municipality, or a role without the follow-up, is the same 404. Every page
reads the summary tables through ``followup.selectors`` in a fixed number of queries, and the
dashboard keeps what it computed and rendered in the shared cache (``followup.cached``: two
queries when it is kept, whatever the period); no child is ever shown, and small numbers are
protected the same way on the page and in the exports (``followup.presentation``).
"""

import datetime
from dataclasses import dataclass
from decimal import Decimal

from django.contrib import messages
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.template.loader import render_to_string
from django.urls import reverse
from django.utils import timezone, translation
from django.utils.http import urlencode
from django.utils.safestring import SafeString, mark_safe
from django.utils.translation import gettext as _
from django.views.decorators.http import require_GET, require_http_methods

from access.loaders import permit_or_404
from followup import exports
from followup.cached import DashboardParts, dashboard_parts, kept_html
from followup.catalogue import CATALOGUE
from followup.forms import ComparisonConsentForm, TargetsForm
from followup.models import ComparisonConsent, IndicatorTarget
from followup.periods import (
    PERIOD_KIND_LABELS,
    Period,
    PeriodError,
    period_from_query,
    term_of,
    year_period,
)
from followup.policies import (
    MANAGE_COMPARISON,
    MANAGE_TARGETS,
    VIEW_DASHBOARD,
    followup_policy,
    has_any_role,
    municipality_for,
    own_schools_only,
)
from followup.presentation import indicator_rows, school_flags, target_text
from followup.sectors import is_sector, manager_sector, sector_choices, sector_view
from followup.selectors import Dashboard, SchoolRow
from followup.services import comparison_consent_set, targets_set
from organisations.models import Municipality, User
from organisations.selectors import memberships_of

FIRST_YEAR = 2000  # the summary tables start no earlier; see periods._parse_year


def _user(request: HttpRequest) -> User:
    return request.user  # type: ignore[return-value]


def _municipality(request: HttpRequest) -> Municipality:
    found = municipality_for(
        _user(request), VIEW_DASHBOARD, request.GET.get("municipality", "").strip()
    )
    if found is None:
        raise Http404
    return found


def chosen_period(request: HttpRequest, today: datetime.date) -> tuple[Period, str]:
    """The period in the address, or the current year and a message saying why not."""
    try:
        period = period_from_query(request.GET.dict(), today=today)
        # The previous period and the trend reach back a year: keep them in range too.
        if period.start.year <= FIRST_YEAR or period.last_day.year > today.year + 1:
            raise PeriodError(_("Choose a period between 2001 and next year."))
    except PeriodError as error:
        message = _("The period could not be read: %(reason)s Showing the current year.") % {
            "reason": error
        }
        return year_period(today.year), message
    return period, ""


WHOLE_MUNICIPALITY = "all"  # ``sector=all``: the whole municipality, whatever the default


def chosen_sector(request: HttpRequest, default: str) -> tuple[str, str]:
    """The sector in the address ("" for the whole municipality), ``default`` when none is
    asked for, or the whole municipality and a message saying why not."""
    wanted = request.GET.get("sector")
    if wanted is None:
        return default, ""
    wanted = wanted.strip()
    if wanted in ("", WHOLE_MUNICIPALITY):
        return "", ""
    if not is_sector(wanted):
        return "", _(
            "The sector could not be read: choose one from the list. Showing the whole "
            "municipality."
        )
    return wanted, ""


@dataclass(frozen=True)
class Loaded:
    municipality: Municipality
    period: Period
    period_error: str
    dash: Dashboard
    own_schools: set[int] | None
    parts: DashboardParts
    sector_error: str = ""

    @property
    def sector(self) -> str:
        return self.dash.sector

    @property
    def schools(self) -> list[SchoolRow]:
        if self.own_schools is None:
            return self.dash.schools
        return [row for row in self.dash.schools if row.unit.pk in self.own_schools]


def _load(request: HttpRequest) -> Loaded:
    municipality = _municipality(request)
    today = timezone.localdate()
    period, error = chosen_period(request, today)
    parts = dashboard_parts(municipality, period, today=today)
    default = manager_sector(memberships_of(_user(request)), municipality, parts.dash.schools)
    sector, sector_error = chosen_sector(request, default)
    return Loaded(
        municipality=municipality,
        period=period,
        period_error=error,
        dash=sector_view(parts.dash, sector),
        own_schools=own_schools_only(_user(request), municipality),
        parts=parts,
        sector_error=sector_error,
    )


def _query(loaded: Loaded, several: bool) -> str:
    query = loaded.period.as_query()
    # Always explicit, so that an export shows what the page shows whatever the default.
    query["sector"] = loaded.sector or WHOLE_MUNICIPALITY
    if several:
        query["municipality"] = str(loaded.municipality.pk)
    return urlencode(query)


def _term_choices(today: datetime.date) -> list[tuple[str, str]]:
    choices = []
    for year in range(today.year, today.year - 5, -1):
        choices.append((f"autumn-{year}", _("Autumn term %(year)s") % {"year": year}))
        choices.append((f"spring-{year}", _("Spring term %(year)s") % {"year": year}))
    return choices


@require_GET
def dashboard_page(request: HttpRequest) -> HttpResponse:
    """The municipality's indicators for the chosen period, with comparisons, trends and the
    tables of schools, sectors and documents."""
    loaded = _load(request)
    user = _user(request)
    municipalities = followup_policy.municipalities(user, VIEW_DASHBOARD)
    today = timezone.localdate()
    return render(
        request,
        "followup/dashboard.html",
        {
            "loaded": loaded,
            "dash": loaded.dash,
            "body": kept_html(loaded.parts, _body_variant(loaded), lambda: _body(loaded)),
            "municipalities": municipalities,
            "query": _query(loaded, len(municipalities) > 1),
            "period_kinds": list(PERIOD_KIND_LABELS.items()),
            "sector_choices": sector_choices(),
            "whole_municipality": WHOLE_MUNICIPALITY,
            "term_choices": _term_choices(today),
            "form": _form_values(request, loaded),
            "can_manage_targets": loaded.municipality.pk
            in followup_policy.municipality_ids(user, MANAGE_TARGETS),
            "can_manage_comparison": loaded.municipality.pk
            in followup_policy.municipality_ids(user, MANAGE_COMPARISON),
        },
    )


def _body_variant(loaded: Loaded) -> str:
    """What the body depends on beyond the parts: the sector and a principal's own schools."""
    schools = (
        "all" if loaded.own_schools is None else ",".join(map(str, sorted(loaded.own_schools)))
    )
    return f"{loaded.sector}:{schools}"


def _body(loaded: Loaded) -> str:
    """The dashboard below its form (``followup/_dashboard_body.html``), with no request: the
    same for everyone who asks for the same parts and variant."""
    rows = indicator_rows(loaded.dash, loaded.parts.compared, loaded.parts.references)
    return render_to_string(
        "followup/_dashboard_body.html",
        {
            "loaded": loaded,
            "dash": loaded.dash,
            "rows": rows,
            "key_rows": [row for row in rows if row.comparisons or row.references],
            "charts": loaded.parts.charts,
            "schools": [(row, *school_flags(row)) for row in loaded.schools],
            "own_schools_only": loaded.own_schools is not None,
        },
    )


def _form_values(request: HttpRequest, loaded: Loaded) -> dict[str, str]:
    """What the period form shows: the period and the sector in force, in its fields."""
    period = loaded.period
    values = {"period": period.kind.value, "year": str(period.start.year)}
    values.update(period.as_query())
    last = period.months[-1]
    values.setdefault("month", f"{period.start:%Y-%m}")
    values.setdefault("from", f"{period.start:%Y-%m}")
    values.setdefault("to", f"{last:%Y-%m}")
    values.setdefault("term", term_of(timezone.localdate()).as_query()["term"])
    values["municipality"] = request.GET.get("municipality", "")
    values["sector"] = loaded.sector or WHOLE_MUNICIPALITY
    return values


@require_GET
def catalogue_page(request: HttpRequest) -> HttpResponse:
    """What every indicator means: for everyone with a role (no numbers, no query)."""
    if not has_any_role(_user(request)):
        raise Http404
    can_view = followup_policy.allows_any(_user(request), VIEW_DASHBOARD)
    return render(
        request, "followup/catalogue.html", {"body": _catalogue_body(), "can_view": can_view}
    )


# The catalogue's descriptions per language, rendered once in each process: the catalogue is
# code (the apps register their indicators as they start), so it can not change while the
# process runs.
_CATALOGUE_BODIES: dict[str, str] = {}


def _catalogue_body() -> SafeString:
    language = translation.get_language() or ""
    found = _CATALOGUE_BODIES.get(language)
    if found is None:
        indicators = [
            (indicator, target_text(indicator, indicator.default_target))
            for indicator in CATALOGUE.values()
        ]
        found = render_to_string("followup/_catalogue_body.html", {"indicators": indicators})
        _CATALOGUE_BODIES[language] = found
    return mark_safe(found)  # noqa: S308 - rendered by a template, escaped there


@require_GET
def export_csv(request: HttpRequest) -> HttpResponse:
    loaded = _load(request)
    tables = exports.dashboard_tables(loaded.dash, loaded.schools)
    name = exports.file_name(loaded.municipality, loaded.period, loaded.dash.sector_label)
    return exports.csv_response(tables, name)


@require_GET
def export_xlsx(request: HttpRequest) -> HttpResponse:
    loaded = _load(request)
    tables = exports.dashboard_tables(loaded.dash, loaded.schools)
    name = exports.file_name(loaded.municipality, loaded.period, loaded.dash.sector_label)
    return exports.xlsx_response(tables, name)


def _own_targets(municipality: Municipality) -> dict[str, Decimal]:
    """The municipality's own targets, without trailing zeros ("90", not "90.00")."""
    return {
        key: target.quantize(Decimal(1)) if target == target.to_integral() else target.normalize()
        for key, target in IndicatorTarget.objects.filter(municipality=municipality).values_list(
            "indicator_key", "target"
        )
    }


@require_http_methods(["GET", "POST"])
def targets_page(request: HttpRequest) -> HttpResponse:
    """The coordinator sets the municipality's own targets; saved, the page is shown again
    (POST, then redirect), so a reload does not send the form twice."""
    wanted = request.GET.get("municipality", "").strip()
    municipality = municipality_for(_user(request), MANAGE_TARGETS, wanted)
    if municipality is None:
        raise Http404
    permit = permit_or_404(request, followup_policy, MANAGE_TARGETS, pk=municipality.pk)
    data = request.POST if request.method == "POST" else None
    form = TargetsForm(data, own=_own_targets(municipality))
    if request.method == "POST" and form.is_valid():
        changed = targets_set(permit=permit, actor=_user(request), targets=form.targets())
        if changed:
            messages.success(request, _("The targets are saved."))
        else:
            messages.info(request, _("No target was changed."))
        url = reverse("followup:targets")
        return redirect(f"{url}?{urlencode({'municipality': wanted})}" if wanted else url)
    return render(request, "followup/targets.html", {"form": form, "municipality": municipality})


@require_http_methods(["GET", "POST"])
def comparison_page(request: HttpRequest) -> HttpResponse:
    """The municipal admin decides whether the municipality may be named in the other
    municipalities' comparisons; saved, the page is shown again (POST, then redirect)."""
    wanted = request.GET.get("municipality", "").strip()
    municipality = municipality_for(_user(request), MANAGE_COMPARISON, wanted)
    if municipality is None:
        raise Http404
    permit = permit_or_404(request, followup_policy, MANAGE_COMPARISON, pk=municipality.pk)
    consent = ComparisonConsent.objects.filter(municipality=municipality).first()
    current = consent.named if consent is not None else None
    initial = {} if current is None else {"named": "yes" if current else "no"}
    data = request.POST if request.method == "POST" else None
    form = ComparisonConsentForm(data, initial=initial)
    if request.method == "POST" and form.is_valid():
        named = form.cleaned_data["named"]
        if comparison_consent_set(permit=permit, actor=_user(request), named=named):
            messages.success(request, _consent_message(municipality, named))
        else:
            messages.info(request, _("Nothing was changed."))
        url = reverse("followup:comparison")
        return redirect(f"{url}?{urlencode({'municipality': wanted})}" if wanted else url)
    return render(
        request,
        "followup/comparison.html",
        {"form": form, "municipality": municipality, "current": current, "consent": consent},
    )


def _consent_message(municipality: Municipality, named: bool) -> str:
    if named:
        return _("Saved: other municipalities now see %(name)s by name in their comparisons.") % {
            "name": municipality.name
        }
    return _("Saved: other municipalities now see %(name)s unnamed in their comparisons.") % {
        "name": municipality.name
    }
