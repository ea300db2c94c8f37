"""The report form in a real browser: the notices that follow what is chosen (live, with htmx
autosave, and after saving), and a pass with the keyboard alone, from "Start the report" to
the receipt, with a visible focus on every stop and the tab order of the page's layout."""

import datetime
import re
from dataclasses import dataclass
from typing import Any

from django.test import override_settings
from django.urls import reverse
from playwright.sync_api import Page, expect

from core.personnummer import make_test_identity_number
from organisations.models import Role, UnitKind
from organisations.selectors import memberships_of
from reports import services_school
from reports.models import ConcernCategory, ConcernReport, GuardiansInformed, ReportStatus
from tests.browser.axe import check_axe
from tests.browser.conftest import LogIn
from tests.world import World

CHILD = make_test_identity_number(datetime.date(2014, 5, 3), 981)
WHAT_HAPPENED = "Eleven kommer utan kläder för väder och säger att hon inte har ätit."
PHONE = "0247-555 12"
SAVED = re.compile(r"(Saved|Sparat) \d\d:\d\d")
MAX_TABS = 60

# What the focused element is, where it is, and whether its focus can be seen.
_FOCUS_STATE = """() => {
    const element = document.activeElement;
    const style = getComputedStyle(element);
    const rect = element.getBoundingClientRect();
    const fieldsets = [...document.querySelectorAll("#draft-form > fieldset")];
    return {
        key: element.id || (element.name ? element.tagName.toLowerCase() + ":" + element.name
                                         : element.tagName.toLowerCase()),
        top: rect.top + window.scrollY,
        fieldset: fieldsets.findIndex((fieldset) => fieldset.contains(element)),
        focusVisible: element.matches(":focus-visible"),
        outline: style.outlineStyle !== "none" && parseFloat(style.outlineWidth) > 0,
        shadow: style.boxShadow !== "none",
        inViewport: rect.bottom > 0 && rect.top < window.innerHeight,
    };
}"""


@dataclass(frozen=True)
class Stop:
    key: str
    top: float
    fieldset: int


def focus_stop(page: Page) -> Stop:
    """The focused element, after checking that its focus is visible on the screen."""
    state: dict[str, Any] = page.evaluate(_FOCUS_STATE)
    key = state["key"]
    assert state["key"] != "body", "the focus was lost"
    assert state["focusVisible"], f"{key} is focused but does not match :focus-visible"
    assert state["outline"] or state["shadow"], f"{key} has no visible focus indicator"
    assert state["inViewport"], f"{key} is focused but not scrolled into view"
    return Stop(key, state["top"], state["fieldset"])


def press(page: Page, key: str) -> Stop:
    page.keyboard.press(key)
    return focus_stop(page)


def move_to(page: Page, key: str, *, backwards: bool = False) -> None:
    """Tab (or Shift+Tab) until the element ``key`` (its id, tag:name, or #anchor for a
    link) has the focus."""
    passed = []
    for _ in range(MAX_TABS):
        stop = press(page, "Shift+Tab" if backwards else "Tab")
        if stop.key == "a":
            stop = Stop(page.evaluate(_HREF), stop.top, stop.fieldset)
        passed.append(stop.key)
        if stop.key == key:
            return
    raise AssertionError(f"{key} not reached with the keyboard; passed {passed}")


_HREF = "() => document.activeElement.getAttribute('href')"


def draft_of(world: World) -> ConcernReport:
    teacher = world.user(Role.REPORTER)
    return services_school.report_draft_create(
        author=teacher,
        membership=memberships_of(teacher)[0],
        school_unit=world.unit(UnitKind.SCHOOL),
    )


# The report form's tab stops, top to bottom (one school: no school field; no siblings).
CATEGORY_STOPS = [f"id_categories_{index}" for index in range(len(ConcernCategory.choices))]
FORM_STOPS = [
    "button:save",
    "id_child_identity_number",
    "id_child_name",
    "id_child_approximate_age",
    "id_child_class",
    "id_acute_danger_0",  # a radio group is one stop: nothing is checked, so its first button
    "id_guardians",
    "id_interpreter_language",
    *CATEGORY_STOPS,
    "id_what_happened",
    "id_child_words",
    "id_guardians_informed_0",  # nothing checked yet: the first button
    "id_guardians_not_informed_reason",
    "id_home",
    "id_forward_to_name",
    "id_wants_feedback",
    "id_reporter_phone",
    "id_reporter_email",
    "id_attachments",
    "id_sibling_query",
    "button:find_siblings",
    "button:save",
    "button:submit",
]


@override_settings(DEMO_MODE=True)
def test_report_form_with_the_keyboard_alone(page: Page, world: World, log_in: LogIn) -> None:
    teacher = world.user(Role.REPORTER)
    log_in(teacher.username)
    page.goto(reverse("reports:new"))

    # Skip link, main, and the only control there: "Start the report".
    expect(page.locator("a.skip-link")).not_to_be_focused()
    press(page, "Tab")
    expect(page.locator("a.skip-link")).to_be_focused()
    page.keyboard.press("Enter")
    expect(page.locator("main")).to_be_focused()
    press(page, "Tab")
    expect(page.locator("main form button[type=submit]")).to_be_focused()
    page.keyboard.press("Enter")
    expect(page).to_have_url(re.compile(r"/anmalan/drafts/[0-9a-f-]{36}/(#main)?$"))
    report = ConcernReport.objects.get(author=teacher)

    # Every control of the form in the order of the page, each with a visible focus. The
    # identity number is typed on the way; the rest is left for the error summary.
    press(page, "Tab")
    page.keyboard.press("Enter")
    expect(page.locator("main")).to_be_focused()
    stops = [press(page, "Tab")]
    while stops[-1].key != "button:submit" and len(stops) < MAX_TABS:
        if stops[-1].key == "id_child_identity_number":
            page.keyboard.type(CHILD.formatted())
        stops.append(press(page, "Tab"))
    assert [stop.key for stop in stops] == FORM_STOPS
    fieldsets = [stop.fieldset for stop in stops if stop.fieldset >= 0]
    assert fieldsets == sorted(fieldsets), "the tab order jumps between the form's parts"
    assert set(fieldsets) == set(range(page.locator("#draft-form > fieldset").count()))
    tops = [stop.top for stop in stops]
    assert tops == sorted(tops), "the tab order does not follow the page from top to bottom"
    expect(page.locator("#autosave-status")).to_have_text(SAVED)  # the number was saved

    # Submitting the incomplete report: the error summary takes the focus and is an alert.
    page.keyboard.press("Enter")
    summary = page.locator("#error-summary")
    expect(summary).to_be_visible()
    expect(summary).to_have_attribute("role", "alert")
    expect(summary).to_be_focused()
    check_axe(page)  # the draft with errors
    links = summary.locator("a")
    anchors = [
        (links.nth(index).get_attribute("href") or "").lstrip("#") for index in range(links.count())
    ]
    assert anchors == [
        "id_acute_danger_0",  # never preset: it must be answered
        "id_categories_0",
        "id_what_happened",
        "id_guardians_informed_0",
    ]
    expect(page.locator("#id_child_identity_number")).to_have_value(CHILD.formatted())

    # Each link of the summary moves the focus to its field; each field is filled from there.
    # Acute danger first: from its first button ("Yes") the arrow key moves to "No" and
    # checks it.
    move_to(page, "#id_acute_danger_0")
    expect(links.nth(0)).to_be_focused()
    assert press(page, "Enter").key == "id_acute_danger_0"
    assert press(page, "ArrowDown").key == "id_acute_danger_1"
    expect(page.locator("#id_acute_danger_1")).to_be_checked()
    expect(page.locator("#acute-notice .attention--danger")).to_have_count(0)
    move_to(page, "#id_categories_0", backwards=True)
    expect(links.nth(1)).to_be_focused()
    assert press(page, "Enter").key == "id_categories_0"
    move_to(page, "id_categories_3")
    neglect = page.locator("#id_categories_3")
    expect(neglect).to_have_value(ConcernCategory.NEGLECT)
    page.keyboard.press("Space")
    expect(neglect).to_be_checked()

    for index, anchor in enumerate(anchors[2:], start=2):
        move_to(page, f"#{anchor}", backwards=True)
        expect(links.nth(index)).to_be_focused()
        assert press(page, "Enter").key == anchor
        if anchor == "id_what_happened":
            page.keyboard.type(WHAT_HAPPENED)
        else:
            page.keyboard.press("Space")
            expect(page.locator("#id_guardians_informed_0")).to_be_checked()

    # Feedback is asked for by default, and the e-mail address is the teacher's: a phone
    # number is added, then on to "Submit the report".
    expect(page.locator("#id_wants_feedback")).to_be_checked()
    expect(page.locator("#id_reporter_email")).to_have_value(teacher.email)
    move_to(page, "id_reporter_phone")
    page.keyboard.type(PHONE)
    move_to(page, "button:submit")
    page.keyboard.press("Enter")

    expect(page).to_have_url(
        re.compile(re.escape(reverse("reports:receipt", args=[report.public_id])))
    )
    report.refresh_from_db()
    assert report.status == ReportStatus.SUBMITTED
    assert report.child_identity_number == CHILD.digits
    assert set(report.categories.values_list("category", flat=True)) == {ConcernCategory.NEGLECT}
    assert report.what_happened == WHAT_HAPPENED
    assert report.guardians_informed == GuardiansInformed.YES
    assert report.wants_feedback
    assert report.reporter_phone == PHONE
    assert report.acute_danger is False


@override_settings(DEMO_MODE=True)
def test_the_form_never_suggests_telling_the_guardians_and_shows_the_acute_notice(
    page: Page, world: World, log_in: LogIn
) -> None:
    report = draft_of(world)
    log_in(world.user(Role.REPORTER).username)
    page.goto(reverse("reports:draft_edit", args=[report.public_id]))
    question = page.locator("input[name=guardians_informed]")
    notice = page.locator("#guardians-notice")
    acute = page.locator("#acute-notice .attention--danger")
    expect(question).to_have_count(2)
    expect(notice).to_have_count(0)
    expect(acute).to_have_count(0)
    expect(page.locator("input[name=acute_danger]")).to_have_count(2)
    expect(page.locator("input[name=acute_danger]:checked")).to_have_count(0)  # not preset

    # Sexual abuse, chosen with the keyboard: the autosave answers with the notice in place of
    # the question, and the focus stays where it was.
    sexual_abuse = page.locator("input[name=categories][value=sexual_abuse]")
    sexual_abuse.focus()
    page.keyboard.press("Space")
    expect(notice).to_be_visible()
    expect(question).to_have_count(0)
    expect(page.locator("#id_guardians_not_informed_reason")).to_have_count(0)
    expect(sexual_abuse).to_be_focused()

    # Acute danger: call 112 / socialjouren as well.
    page.locator("#id_acute_danger_0").check()
    expect(acute).to_be_visible()
    expect(acute).to_have_attribute("role", "alert")
    expect(acute).to_contain_text("112")
    expect(acute).to_contain_text("socialjouren")
    expect(page.locator("#autosave-status")).to_have_text(SAVED)
    check_axe(page)

    # Both stay after saving and opening the draft again.
    page.locator("main form button[name=save]").first.click()
    expect(page.locator(".message--success")).to_be_visible()
    expect(notice).to_be_visible()
    expect(question).to_have_count(0)
    expect(acute).to_be_visible()
    report.refresh_from_db()
    assert report.acute_danger
    assert report.guardians_informed == GuardiansInformed.NOT_ASKED

    # Without a concern of that kind the question comes back, and "No" takes the notice away.
    sexual_abuse.uncheck()
    page.locator("input[name=categories][value=school_absence]").check()
    expect(question).to_have_count(2)
    expect(notice).to_have_count(0)
    page.locator("#id_acute_danger_1").check()
    expect(acute).to_have_count(0)
    check_axe(page)
