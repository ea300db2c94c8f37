"""The annual wheel as a picture, a list and a month; the coverage tables; calendar feeds.

Everything here is readable by any active member of the municipality (the wheel's READ rule);
another municipality's occurrence is a 404. The feed (``feed``) is the one view without login:
calendar apps can not log in, so its long random token is the credential, and it holds no
child data (see ``wheel.ical``).
"""

import calendar
import datetime
from dataclasses import dataclass, field
from urllib.parse import urlencode

from django import forms
from django.conf import settings
from django.contrib import messages
from django.contrib.auth.decorators import login_not_required
from django.core.exceptions import ValidationError
from django.db.models import QuerySet
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils import timezone, translation
from django.utils.dates import MONTHS
from django.utils.formats import date_format
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy
from django.views.decorators.http import (
    require_GET,
    require_http_methods,
    require_POST,
    require_safe,
)

from access.loaders import get_or_404
from core.widgets import LeanSelect
from organisations.calendar import school_break_days, swedish_holidays
from organisations.models import Municipality, Sector, User
from organisations.selectors import municipalities_of
from wheel import coverage as coverage_tables
from wheel import feeds, ical, svg
from wheel.models import ActivityType, CalendarFeed, Occurrence, OccurrenceStatus
from wheel.policies import READ, occurrence_policy
from wheel.selectors import WheelFilters, wheel_occurrences

STOCKHOLM = ical.STOCKHOLM
MIN_YEAR = 2000
MAX_YEAR = 2100
SCHOOL_YEAR = "school"
CALENDAR_YEAR = "calendar"
TYPE_LABELS = dict(ActivityType.choices)
STATUS_LABELS = dict(OccurrenceStatus.choices)
STATUS_BADGES = {
    OccurrenceStatus.HELD: "badge--ok",
    OccurrenceStatus.CANCELLED: "badge--danger",
    OccurrenceStatus.MOVED: "badge--warning",
}


def _user(request: HttpRequest) -> User:
    return request.user  # type: ignore[return-value]


# --- filters -------------------------------------------------------------------------------------


class WheelFilterForm(forms.Form):
    """The filters of the wheel, the list and the month (GET, no personal data)."""

    # Written without the template engine (``LeanSelect``): an include per option made the
    # filters cost more than the wheel they filter.
    municipality = forms.TypedChoiceField(
        label=gettext_lazy("Municipality"), coerce=int, required=False, widget=LeanSelect
    )
    activity_type = forms.ChoiceField(
        label=gettext_lazy("Type of activity"),
        choices=[("", gettext_lazy("All types")), *ActivityType.choices],
        required=False,
        widget=LeanSelect,
    )
    sector = forms.ChoiceField(
        label=gettext_lazy("Sector"),
        choices=[("", gettext_lazy("All sectors")), *Sector.choices],
        required=False,
        widget=LeanSelect,
    )

    def __init__(self, *args: object, municipalities: list[Municipality], **kwargs: object):
        super().__init__(*args, **kwargs)  # type: ignore[arg-type]
        self.fields["municipality"].choices = [(m.pk, m.name) for m in municipalities]  # type: ignore[attr-defined]
        if len(municipalities) < 2:
            self.fields["municipality"].widget = forms.HiddenInput()


class YearForm(forms.Form):
    year = forms.IntegerField(
        label=gettext_lazy("Year"), min_value=MIN_YEAR, max_value=MAX_YEAR, required=False
    )
    span = forms.ChoiceField(
        label=gettext_lazy("Show"),
        choices=[
            (SCHOOL_YEAR, gettext_lazy("School year (August–July)")),
            (CALENDAR_YEAR, gettext_lazy("Calendar year")),
        ],
        required=False,
        widget=LeanSelect,
    )


@dataclass
class Selection:
    """What the user asked for, after validation: bad values fall back to the defaults and
    their errors are shown above the filters."""

    municipality: Municipality
    municipalities: list[Municipality]
    filters: WheelFilters
    form: WheelFilterForm
    year_form: YearForm | None = None
    params: dict[str, str] = field(default_factory=dict)

    def query(self, **changes: object) -> str:
        """The filters as a query string, with ``changes`` applied ("" drops a key)."""
        values: dict[str, object] = {**self.params, **changes}
        return urlencode({key: value for key, value in values.items() if value not in ("", None)})


def _cleaned(form: forms.Form, name: str) -> object:
    """A field's clean value, or None when the form is unbound or the value is bad."""
    if not form.is_bound:
        return None
    form.is_valid()
    if name in form.errors:
        return None
    return form.cleaned_data.get(name)


def _selection(request: HttpRequest, *, with_year: bool = False) -> Selection:
    """The municipality (one the user is a member of; else 404) and the filters."""
    municipalities = municipalities_of(_user(request))
    if not municipalities:
        raise Http404
    form = WheelFilterForm(request.GET or None, municipalities=municipalities)
    chosen = _cleaned(form, "municipality")
    if request.GET.get("municipality") and chosen is None:
        raise Http404  # another municipality: the same answer as one that does not exist
    municipality = next((m for m in municipalities if m.pk == chosen), municipalities[0])
    activity_type = str(_cleaned(form, "activity_type") or "")
    sector = str(_cleaned(form, "sector") or "")
    params = {"activity_type": activity_type, "sector": sector}
    if len(municipalities) > 1:
        params["municipality"] = str(municipality.pk)
    if not form.is_bound:
        form = WheelFilterForm(
            initial={"municipality": municipality.pk}, municipalities=municipalities
        )
    year_form = YearForm(request.GET or None) if with_year else None
    return Selection(
        municipality=municipality,
        municipalities=municipalities,
        filters=WheelFilters(activity_type=activity_type, sector=sector),
        form=form,
        year_form=year_form,
        params=params,
    )


def _visible(request: HttpRequest) -> QuerySet[Occurrence]:
    return occurrence_policy.visible(_user(request), READ)


def _local_start(day: datetime.date) -> datetime.datetime:
    return datetime.datetime.combine(day, datetime.time.min, tzinfo=STOCKHOLM)


# --- the items shown -----------------------------------------------------------------------------


@dataclass(frozen=True)
class Item:
    """One occurrence as the wheel, the list and the month show it."""

    occurrence: Occurrence
    starts: datetime.datetime  # local time
    url: str

    @property
    def day(self) -> datetime.date:
        return self.starts.date()

    @property
    def title(self) -> str:
        return self.occurrence.series.title

    @property
    def type_label(self) -> str:
        series = self.occurrence.series
        return str(TYPE_LABELS.get(series.activity_type, series.activity_type))

    @property
    def status(self) -> str:
        return self.occurrence.status

    @property
    def status_label(self) -> str:
        return str(STATUS_LABELS.get(self.occurrence.status, self.occurrence.status))

    @property
    def status_badge(self) -> str:
        return STATUS_BADGES.get(self.occurrence.status, "")  # type: ignore[call-overload]

    @property
    def place(self) -> str:
        return self.occurrence.place or self.occurrence.series.place

    @property
    def tooltip(self) -> str:
        return _("%(date)s: %(title)s (%(type)s), %(status)s") % {
            "date": date_format(self.day, "DATE_FORMAT"),
            "title": self.title,
            "type": self.type_label,
            "status": self.status_label,
        }


def occurrence_url(occurrence: Occurrence) -> str:
    return reverse("wheel:occurrence_detail", args=[occurrence.pk])


def _items(occurrences: list[Occurrence]) -> list[Item]:
    return [
        Item(
            occurrence=occurrence,
            starts=occurrence.starts_at.astimezone(STOCKHOLM),
            url=occurrence_url(occurrence),
        )
        for occurrence in occurrences
    ]


@dataclass(frozen=True)
class MonthGroup:
    first_day: datetime.date
    label: str
    items: list[Item]
    url: str


def _month_label(day: datetime.date) -> str:
    return date_format(day, "YEAR_MONTH_FORMAT")


def _by_month(
    items: list[Item], first_day: datetime.date, selection: Selection
) -> list[MonthGroup]:
    groups = []
    for start in svg.month_starts(first_day):
        month_items = [
            item for item in items if (item.day.year, item.day.month) == (start.year, start.month)
        ]
        url = reverse("wheel:month", args=[start.year, start.month])
        query = selection.query(year="", span="")
        groups.append(
            MonthGroup(
                first_day=start,
                label=_month_label(start),
                items=month_items,
                url=f"{url}?{query}" if query else url,
            )
        )
    return groups


def _legend() -> list[dict[str, object]]:
    return [
        {"label": label, "symbol": svg.legend_symbol(str(value))}
        for value, label in ActivityType.choices
    ]


def _status_legend() -> list[dict[str, object]]:
    statuses = [OccurrenceStatus.HELD, OccurrenceStatus.PLANNED, OccurrenceStatus.CANCELLED]
    return [
        {
            "label": STATUS_LABELS[status],
            "symbol": svg.legend_symbol(ActivityType.COLLABORATION_MEETING, status),
        }
        for status in statuses
    ]


# --- the wheel and the list ----------------------------------------------------------------------


@dataclass(frozen=True)
class YearView:
    year: int
    school_year: bool
    first_day: datetime.date
    end_day: datetime.date
    label: str


def _year_view(selection: Selection, today: datetime.date) -> YearView:
    assert selection.year_form is not None
    span = _cleaned(selection.year_form, "span") or SCHOOL_YEAR
    school_year = span == SCHOOL_YEAR
    default = coverage_tables.school_year_of(today) if school_year else today.year
    year = _cleaned(selection.year_form, "year") or default
    assert isinstance(year, int)
    first_day, end_day = svg.year_span(year, school_year=school_year)
    label = coverage_tables.school_year_label(year) if school_year else str(year)
    selection.params["year"] = str(year)
    selection.params["span"] = SCHOOL_YEAR if school_year else CALENDAR_YEAR
    if not selection.year_form.is_bound:
        selection.year_form = YearForm(initial={"year": year, "span": selection.params["span"]})
    return YearView(year, school_year, first_day, end_day, label)


def _year_context(request: HttpRequest) -> dict[str, object]:
    today = timezone.localdate()
    selection = _selection(request, with_year=True)
    view = _year_view(selection, today)
    occurrences = wheel_occurrences(
        _visible(request),
        municipality_id=selection.municipality.pk,
        start=_local_start(view.first_day),
        end=_local_start(view.end_day),
        filters=selection.filters,
    )
    items = _items(occurrences)
    return {
        "selection": selection,
        "form": selection.form,
        "year_form": selection.year_form,
        "view": view,
        "today": today,
        "items": items,
        "months": _by_month(items, view.first_day, selection),
        "previous_query": selection.query(year=view.year - 1),
        "next_query": selection.query(year=view.year + 1),
        "this_query": selection.query(),
    }


@require_GET
def wheel(request: HttpRequest) -> HttpResponse:
    """The year as a circle of twelve months, with the same content as a list below it."""
    context = _year_context(request)
    view: YearView = context["view"]  # type: ignore[assignment]
    items: list[Item] = context["items"]  # type: ignore[assignment]
    selection: Selection = context["selection"]  # type: ignore[assignment]
    names = [str(MONTHS[start.month]) for start in svg.month_starts(view.first_day)]
    title = _("The annual wheel of %(municipality)s, %(year)s") % {
        "municipality": selection.municipality.name,
        "year": view.label,
    }
    description = _(
        "A circle of twelve months from %(first)s to %(last)s with %(count)d activities "
        "placed by date. The same activities are listed month by month below the picture."
    ) % {
        "first": _month_label(view.first_day),
        "last": _month_label(view.end_day - datetime.timedelta(days=1)),
        "count": len(items),
    }
    context["svg"] = svg.wheel_svg(
        marks=[
            svg.Mark(
                day=item.day,
                activity_type=item.occurrence.series.activity_type,
                status=item.status,
                label=item.tooltip,
                key=item.occurrence.pk,
            )
            for item in items
        ],
        first_day=view.first_day,
        end_day=view.end_day,
        month_names=names,
        title=title,
        description=description,
        centre_label=view.label,
        today=context["today"],  # type: ignore[arg-type]
        today_label=_("Today"),
    )
    context["legend"] = _legend()
    context["status_legend"] = _status_legend()
    context["list_url"] = reverse("wheel:list")
    return render(request, "wheel/calendar/wheel.html", context)


@require_GET
def wheel_list(request: HttpRequest) -> HttpResponse:
    """The same year as a list: one table per month."""
    context = _year_context(request)
    return render(request, "wheel/calendar/list.html", context)


# --- the month -----------------------------------------------------------------------------------


@dataclass(frozen=True)
class Day:
    date: datetime.date
    in_month: bool
    is_today: bool
    items: list[Item]
    holiday: str = ""  # the Swedish public holiday's name
    school_break: str = ""  # the municipality's school break's name


@dataclass(frozen=True)
class Week:
    number: int  # ISO 8601, the week numbers Swedish calendars use
    days: list[Day]


def _weeks(
    weeks_dates: list[list[datetime.date]],
    *,
    month: int,
    today: datetime.date,
    by_day: dict[datetime.date, list[Item]],
    municipality_id: int,
) -> list[Week]:
    """The month's grid with week numbers, holidays and the municipality's school breaks."""
    first, last = weeks_dates[0][0], weeks_dates[-1][-1]
    holidays = swedish_holidays(first, last, language=translation.get_language() or "sv")
    breaks = school_break_days(municipality_id, first, last)
    return [
        Week(
            number=week[0].isocalendar().week,
            days=[
                Day(
                    day,
                    day.month == month,
                    day == today,
                    by_day.get(day, []),
                    holiday=holidays.get(day, ""),
                    school_break=breaks.get(day, ""),
                )
                for day in week
            ],
        )
        for week in weeks_dates
    ]


def _add_months(day: datetime.date, months: int) -> datetime.date:
    index = day.year * 12 + day.month - 1 + months
    return datetime.date(index // 12, index % 12 + 1, 1)


@require_GET
def month(request: HttpRequest, year: int, month: int) -> HttpResponse:
    """One month as a calendar grid (Monday first), with the previous and next month."""
    if not (MIN_YEAR <= year <= MAX_YEAR and 1 <= month <= 12):
        raise Http404
    today = timezone.localdate()
    selection = _selection(request)
    first_day = datetime.date(year, month, 1)
    weeks_dates = calendar.Calendar(firstweekday=0).monthdatescalendar(year, month)
    grid_start, grid_end = weeks_dates[0][0], weeks_dates[-1][-1] + datetime.timedelta(days=1)
    occurrences = wheel_occurrences(
        _visible(request),
        municipality_id=selection.municipality.pk,
        start=_local_start(grid_start),
        end=_local_start(grid_end),
        filters=selection.filters,
    )
    by_day: dict[datetime.date, list[Item]] = {}
    for item in _items(occurrences):
        by_day.setdefault(item.day, []).append(item)
    weeks = _weeks(
        weeks_dates,
        month=month,
        today=today,
        by_day=by_day,
        municipality_id=selection.municipality.pk,
    )
    previous, following = _add_months(first_day, -1), _add_months(first_day, 1)
    query = selection.query()
    suffix = f"?{query}" if query else ""
    in_month = [item for day in by_day for item in by_day[day] if day.month == month]
    return render(
        request,
        "wheel/calendar/month.html",
        {
            "selection": selection,
            "form": selection.form,
            "first_day": first_day,
            "label": _month_label(first_day),
            "weeks": weeks,
            "weekdays": [date_format(d, "l") for d in weeks_dates[0]],
            "count": len(in_month),
            "previous_url": reverse("wheel:month", args=[previous.year, previous.month]) + suffix,
            "previous_label": _month_label(previous),
            "next_url": reverse("wheel:month", args=[following.year, following.month]) + suffix,
            "next_label": _month_label(following),
            "this_month_url": reverse("wheel:month", args=[today.year, today.month]) + suffix,
            "wheel_url": reverse("wheel:wheel") + suffix,
        },
    )


@require_GET
def this_month(request: HttpRequest) -> HttpResponse:
    today = timezone.localdate()
    url = reverse("wheel:month", args=[today.year, today.month])
    query = request.GET.urlencode()
    return redirect(f"{url}?{query}" if query else url)


# --- coverage ------------------------------------------------------------------------------------


class CoverageForm(forms.Form):
    municipality = forms.TypedChoiceField(
        label=gettext_lazy("Municipality"), coerce=int, required=False, widget=LeanSelect
    )
    year = forms.IntegerField(
        label=gettext_lazy("School year starting in"),
        min_value=MIN_YEAR,
        max_value=MAX_YEAR,
        required=False,
    )

    def __init__(self, *args: object, municipalities: list[Municipality], **kwargs: object):
        super().__init__(*args, **kwargs)  # type: ignore[arg-type]
        self.fields["municipality"].choices = [(m.pk, m.name) for m in municipalities]  # type: ignore[attr-defined]
        if len(municipalities) < 2:
            self.fields["municipality"].widget = forms.HiddenInput()


@require_GET
def coverage(request: HttpRequest) -> HttpResponse:
    """Schools × terms (intake–principal meetings) and schools × school years (parent-meeting
    visits by the intake), gaps named in words."""
    municipalities = municipalities_of(_user(request))
    if not municipalities:
        raise Http404
    today = timezone.localdate()
    form = CoverageForm(request.GET or None, municipalities=municipalities)
    chosen = _cleaned(form, "municipality")
    if request.GET.get("municipality") and chosen is None:
        raise Http404
    municipality = next((m for m in municipalities if m.pk == chosen), municipalities[0])
    year = _cleaned(form, "year")
    school_year = year if isinstance(year, int) else coverage_tables.school_year_of(today)
    if not form.is_bound:
        form = CoverageForm(
            initial={"municipality": municipality.pk, "year": school_year},
            municipalities=municipalities,
        )
    intake, visits = coverage_tables.coverage(municipality, school_year=school_year, today=today)
    base = {"municipality": municipality.pk} if len(municipalities) > 1 else {}
    return render(
        request,
        "wheel/calendar/coverage.html",
        {
            "form": form,
            "municipality": municipality,
            "school_year": school_year,
            "school_year_label": coverage_tables.school_year_label(school_year),
            "intake": intake,
            "visits": visits,
            "previous_query": urlencode({**base, "year": school_year - 1}),
            "next_query": urlencode({**base, "year": school_year + 1}),
        },
    )


# --- calendar feeds ------------------------------------------------------------------------------


def feed_url(feed: CalendarFeed) -> str:
    return settings.SITE_URL.rstrip("/") + reverse("wheel:feed", args=[feed.token])


def _require_member(request: HttpRequest) -> None:
    if not municipalities_of(_user(request)):
        raise Http404


@require_GET
def calendar_feeds(request: HttpRequest) -> HttpResponse:
    """The user's own feeds: the address to subscribe to, a new one, revoke."""
    _require_member(request)
    rows = [
        {
            "feed": feed,
            "url": feed_url(feed) if feed.revoked_at is None else "",
            "webcal": "webcal://" + feed_url(feed).split("://", 1)[-1],
        }
        for feed in feeds.feeds_of(_user(request))
    ]
    return render(
        request,
        "wheel/calendar/feeds.html",
        {
            "active": [row for row in rows if row["url"]],
            "revoked": [row for row in rows if not row["url"]],
            "max_feeds": feeds.MAX_ACTIVE_FEEDS,
            "months_back": feeds.FEED_MONTHS_BACK,
            "months_ahead": feeds.FEED_MONTHS_AHEAD,
        },
    )


@require_POST
def calendar_feed_create(request: HttpRequest) -> HttpResponse:
    _require_member(request)
    try:
        feeds.calendar_feed_create(user=_user(request))
    except ValidationError as error:
        for message in error.messages:
            messages.error(request, message)
    else:
        messages.success(
            request,
            _("A new calendar feed was created. Copy its address into your calendar app."),
        )
    return redirect("wheel:calendar_feeds")


@require_http_methods(["GET", "POST"])
def calendar_feed_revoke(request: HttpRequest, pk: int) -> HttpResponse:
    """Revoke one of the user's own feeds after a confirmation (anyone else's: 404)."""
    feed = feeds.active_feed(_user(request), pk)
    if feed is None:
        raise Http404
    if request.method == "POST":
        feeds.calendar_feed_revoke(actor=_user(request), feed=feed)
        messages.success(
            request,
            _("The calendar feed was revoked. Calendar apps using it get nothing more."),
        )
        return redirect("wheel:calendar_feeds")
    return render(request, "wheel/calendar/feed_revoke.html", {"feed": feed, "url": feed_url(feed)})


def _calendar_response(body: bytes, filename: str) -> HttpResponse:
    response = HttpResponse(body, content_type=ical.CONTENT_TYPE)
    response["Cache-Control"] = "private"
    response["Content-Disposition"] = f'inline; filename="{filename}"'
    response["X-Robots-Tag"] = "noindex"
    return response


def _absolute_occurrence_url(occurrence: Occurrence) -> str:
    return settings.SITE_URL.rstrip("/") + occurrence_url(occurrence)


@login_not_required
@require_safe
def feed(_request: HttpRequest, token: str) -> HttpResponse:
    """The personal feed a calendar app subscribes to; an unknown or revoked token is a 404."""
    subscription = feeds.feed_by_token(token)
    if subscription is None:
        raise Http404
    user = subscription.user
    now = timezone.now()
    occurrences = feeds.feed_occurrences(user, now=now)
    if not occurrences and not municipalities_of(user):
        raise Http404  # nobody to show anything to: a user without memberships
    start, end = feeds.feed_window(now)
    body = ical.build_calendar(
        occurrences,
        name=_("Samverkan – annual wheel"),
        url_for=_absolute_occurrence_url,
        now=now,
        span=(start.date(), end.date()),
    )
    return _calendar_response(body, "samverkan.ics")


@require_GET
def occurrence_ics(request: HttpRequest, pk: int) -> HttpResponse:
    """One occurrence as an ``.ics`` file to open in a calendar."""
    occurrence = get_or_404(request, occurrence_policy, READ, pk=pk)
    body = ical.build_calendar(
        [occurrence],
        name=occurrence.series.title,
        url_for=_absolute_occurrence_url,
        now=timezone.now(),
    )
    response = _calendar_response(body, f"samverkan-{occurrence.pk}.ics")
    response["Content-Disposition"] = f'attachment; filename="samverkan-{occurrence.pk}.ics"'
    return response
