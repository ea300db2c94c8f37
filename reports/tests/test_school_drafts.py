"""The school's report form: starting a draft, saving what was typed (valid or not), optimistic
locking, autosave, submitting once, the guardians rule, attachments, siblings and deleting."""

import datetime
import re
import uuid
from typing import Any

import pytest
from allauth.mfa.models import Authenticator
from django.core.exceptions import ValidationError
from django.core.files.uploadedfile import SimpleUploadedFile
from django.test import Client
from django.urls import reverse

from access.models import AccessAction, AccessLog, AuditEvent, AuditEventType
from core.personnummer import make_test_identity_number
from organisations import services as organisation_services
from organisations.models import Role, Sector, UnitKind, User
from reports import services_school
from reports.forms_school import GUARDIANS_ASK, GUARDIANS_NEVER_TELL, OTHER_MUNICIPALITY
from reports.models import (
    NEVER_TELL_GUARDIANS,
    Attachment,
    ConcernCategory,
    ConcernReport,
    GuardiansInformed,
    ReportStatus,
    SubmissionKey,
)
from reports.tests import builders
from tests.factories import UnitFactory, UserFactory
from tests.world import World

pytestmark = pytest.mark.usefixtures("two_factor_set_up")

CHILD = make_test_identity_number(datetime.date(2013, 4, 12), 983).digits
PDF = b"%PDF-1.4\n1 0 obj\n<<>>\nendobj\n"


@pytest.fixture
def teacher(world: World) -> User:
    return world.user(Role.REPORTER)


@pytest.fixture
def teacher_client(client: Client, teacher: User) -> Client:
    client.force_login(teacher)
    return client


def draft(world: World, **values: Any) -> ConcernReport:
    """A complete draft, with a valid identity number (the builders' default is not)."""
    return builders.draft(world, **{"child_identity_number": CHILD, **values})


def edit_url(report: ConcernReport) -> str:
    return reverse("reports:draft_edit", args=[report.public_id])


def autosave_url(report: ConcernReport) -> str:
    return reverse("reports:draft_autosave", args=[report.public_id])


def empty_draft(world: World, author: User | None = None) -> ConcernReport:
    author = author or world.user(Role.REPORTER)
    membership = author.memberships.get()
    return services_school.report_draft_create(
        author=author, membership=membership, school_unit=world.unit(UnitKind.SCHOOL)
    )


def form_data(report: ConcernReport, **overrides: Any) -> dict[str, Any]:
    """What the browser sends for the draft as saved, with ``overrides`` typed on top."""
    report.refresh_from_db()
    categories = sorted(report.categories.values_list("category", flat=True))
    home = OTHER_MUNICIPALITY if report.forward_to_name else str(report.home_municipality_id or "")
    data: dict[str, Any] = {
        "version": report.version,
        "submission_key": str(uuid.uuid4()),
        "guardians_mode": (
            GUARDIANS_NEVER_TELL if set(categories) & NEVER_TELL_GUARDIANS else GUARDIANS_ASK
        ),
        "acute_shown": "1" if report.acute_danger else "0",
        "child_identity_number": report.child_identity_number,
        "child_name": report.child_name,
        "child_approximate_age": report.child_approximate_age or "",
        "child_class": report.child_class,
        "guardians": report.guardians,
        "interpreter_language": report.interpreter_language,
        "categories": categories,
        "what_happened": report.what_happened,
        "child_words": report.child_words,
        # Unanswered: the browser sends nothing for a radio group with no button checked.
        "acute_danger": {True: "yes", False: "no", None: None}[report.acute_danger],
        "guardians_informed": report.guardians_informed,
        "guardians_not_informed_reason": report.guardians_not_informed_reason,
        "home": home,
        "forward_to_name": report.forward_to_name,
        "reporter_phone": report.reporter_phone,
        "reporter_email": report.reporter_email,
    }
    if report.wants_feedback:
        data["wants_feedback"] = "on"
    data.update(overrides)
    return {key: value for key, value in data.items() if value is not None}


def page_of(response: Any) -> str:
    return response.content.decode()


# --- starting a report ---------------------------------------------------------------------------


def test_start_a_report_creates_a_draft_and_opens_it(teacher_client, teacher, world):
    page = page_of(teacher_client.get(reverse("reports:new")))
    assert "New report of concern" in page
    assert "Call the social services' emergency line (socialjouren) or 112 first" in page
    school = world.unit(UnitKind.SCHOOL)
    response = teacher_client.post(reverse("reports:new"), {"school": school.pk})
    report = ConcernReport.objects.get(author=teacher)
    assert response.status_code == 302
    assert response["Location"] == edit_url(report)
    assert report.status == ReportStatus.DRAFT
    assert report.school_unit == school
    assert report.author_sector == Sector.SCHOOL
    assert report.home_municipality == world.municipality()
    assert report.reporter_email == teacher.email
    # Pressing "new" again starts another draft.
    teacher_client.post(reverse("reports:new"), {"school": school.pk})
    assert ConcernReport.objects.filter(author=teacher).count() == 2


def test_with_several_schools_and_roles_the_reporter_chooses(client, world):
    school, nurse_unit = world.unit(UnitKind.SCHOOL), world.unit(UnitKind.MEDICAL_STUDENT_HEALTH)
    other_school = UnitFactory.create(
        municipality=world.municipality(), name="Leksand Norra", kind=UnitKind.SCHOOL
    )
    user = UserFactory.create(username="both.leksand", municipality=world.municipality())
    for unit, role in ((school, Role.REPORTER), (nurse_unit, Role.MEDICAL_STUDENT_HEALTH)):
        organisation_services.membership_create(actor=None, user=user, unit=unit, role=role)
    Authenticator.objects.create(user=user, type=Authenticator.Type.TOTP, data={"secret": "x"})
    client.force_login(user)
    page = page_of(client.get(reverse("reports:new")))
    assert f'<option value="{school.pk}" selected>' in page
    assert f'<option value="{other_school.pk}">Leksand Norra</option>' in page
    assert "You report in your role as" in page
    assert world.unit(UnitKind.SCHOOL, "eksjo").name not in page
    nurse = user.memberships.get(role=Role.MEDICAL_STUDENT_HEALTH)
    client.post(reverse("reports:new"), {"school": other_school.pk, "membership": nurse.pk})
    report = ConcernReport.objects.get(author=user)
    assert report.school_unit == other_school
    assert report.author_sector == Sector.MEDICAL_STUDENT_HEALTH


def test_a_school_of_another_municipality_can_not_be_chosen(teacher_client, teacher, world):
    response = teacher_client.post(
        reverse("reports:new"), {"school": world.unit(UnitKind.SCHOOL, "eksjo").pk}
    )
    assert response.status_code == 200
    assert not ConcernReport.objects.filter(author=teacher).exists()


# --- saving --------------------------------------------------------------------------------------


def test_save_keeps_an_invalid_identity_number_as_typed_and_saves_the_rest(teacher_client, world):
    report = empty_draft(world)
    typed = "20130412-9831"  # the check digit is wrong
    assert make_test_identity_number(datetime.date(2013, 4, 12), 983).formatted() != typed
    response = teacher_client.post(
        edit_url(report),
        form_data(
            report,
            child_identity_number=typed,
            child_name="Kalle Testsson",
            what_happened="Kalle har blåmärken på armarna.",
            reporter_email="not an address",
            save="",
        ),
    )
    page = page_of(response)
    assert response.status_code == 200
    assert f'value="{typed}"' in page
    assert "The last digit does not match the others. Check for a typing error." in page
    assert 'value="not an address"' in page
    assert "Kalle har blåmärken på armarna." in page
    assert 'class="error-summary"' in page
    assert "except the fields marked below" in page
    report.refresh_from_db()
    assert report.child_name == "Kalle Testsson"
    assert report.what_happened == "Kalle har blåmärken på armarna."
    assert report.child_identity_number == ""  # not valid, so not stored
    assert report.reporter_email  # the saved address is kept
    assert report.version == 2
    assert 'id="draft-version" value="2"' in page


def test_a_valid_save_redirects_with_a_message(teacher_client, world):
    report = empty_draft(world)
    response = teacher_client.post(
        edit_url(report),
        form_data(report, child_identity_number=CHILD[2:8] + "-" + CHILD[8:], save=""),
        follow=True,
    )
    assert response.redirect_chain == [(edit_url(report), 302)]
    assert "The draft was saved at" in page_of(response)
    report.refresh_from_db()
    assert report.child_identity_number == CHILD
    assert report.status == ReportStatus.DRAFT
    assert f'value="{CHILD[:8]}-{CHILD[8:]}"' in page_of(response)


def test_a_stale_save_is_refused_and_keeps_what_was_typed(teacher_client, teacher, world):
    report = empty_draft(world)
    stale = form_data(report, what_happened="Skrivet i det första fönstret.", save="")
    services_school.report_draft_update(
        report=report,
        actor=teacher,
        expected_version=report.version,
        values={"what_happened": "Skrivet i det andra fönstret."},
        categories=[],
    )
    response = teacher_client.post(edit_url(report), stale)
    page = page_of(response)
    assert response.status_code == 200
    assert "This draft was changed in another window since you opened it" in page
    assert "Skrivet i det första fönstret." in page
    report.refresh_from_db()
    assert report.what_happened == "Skrivet i det andra fönstret."
    assert report.version == 2
    # The form now carries the current version: saving again is a deliberate overwrite.
    assert 'id="draft-version" value="2"' in page
    teacher_client.post(edit_url(report), {**stale, "version": 2})
    report.refresh_from_db()
    assert report.what_happened == "Skrivet i det första fönstret."


def test_a_stale_save_attaches_no_files(teacher_client, teacher, world):
    report = empty_draft(world)
    stale = form_data(report, save="")
    services_school.report_draft_update(
        report=report, actor=teacher, expected_version=1, values={}, categories=[]
    )
    teacher_client.post(
        edit_url(report),
        {**stale, "attachments": [SimpleUploadedFile("a.pdf", PDF)]},
    )
    assert not Attachment.objects.exists()


# --- autosave ------------------------------------------------------------------------------------


def test_autosave_saves_and_advances_the_version(teacher_client, world):
    report = empty_draft(world)
    response = teacher_client.post(
        autosave_url(report),
        form_data(report, child_name="Lisa", submit=""),
        headers={"HX-Request": "true"},
    )
    page = page_of(response)
    assert response.status_code == 200
    assert re.search(r"Saved \d\d:\d\d", page)
    assert (
        '<input type="hidden" name="version" id="draft-version" value="2" hx-swap-oob="true">'
        in page
    )
    report.refresh_from_db()
    assert report.child_name == "Lisa"
    assert report.version == 2
    assert report.status == ReportStatus.DRAFT  # an autosave never submits
    # The next autosave carries the new version.
    teacher_client.post(autosave_url(report), form_data(report, child_name="Lisa Test"))
    report.refresh_from_db()
    assert (report.child_name, report.version) == ("Lisa Test", 3)


def test_autosave_of_a_complete_draft_never_submits(teacher_client, world):
    report = draft(world)
    teacher_client.post(autosave_url(report), form_data(report, submit=""))
    report.refresh_from_db()
    assert report.status == ReportStatus.DRAFT
    assert not SubmissionKey.objects.exists()


def test_a_stale_autosave_saves_nothing(teacher_client, teacher, world):
    report = empty_draft(world)
    data = form_data(report, child_name="Från det gamla fönstret")
    services_school.report_draft_update(
        report=report, actor=teacher, expected_version=1, values={}, categories=[]
    )
    page = page_of(teacher_client.post(autosave_url(report), data))
    assert "Not saved automatically: this draft was changed in another window." in page
    assert "draft-version" not in page
    report.refresh_from_db()
    assert report.child_name == ""


def test_autosave_names_the_fields_it_could_not_save(teacher_client, world):
    report = empty_draft(world)
    page = page_of(
        teacher_client.post(
            autosave_url(report), form_data(report, child_identity_number="2013", child_name="O")
        )
    )
    assert "not saved until corrected: Personal identity number or coordination number" in page
    report.refresh_from_db()
    assert report.child_name == "O"


def test_autosave_swaps_the_guardians_question_for_the_notice_when_categories_change(
    teacher_client, world
):
    report = empty_draft(world)
    page = page_of(
        teacher_client.post(
            autosave_url(report),
            form_data(report, categories=[ConcernCategory.SEXUAL_ABUSE], guardians_mode="ask"),
        )
    )
    assert '<div id="guardians-section" hx-swap-oob="true">' in page
    assert "Do not tell the guardians about this report." in page
    assert 'name="guardians_informed"' not in page
    # Nothing changed: no swap.
    page = page_of(
        teacher_client.post(
            autosave_url(report),
            form_data(report, guardians_mode="never_tell", child_name="Nora"),
        )
    )
    assert "guardians-section" not in page
    # And back: the question returns, with the reason typed before.
    services_school.report_draft_update(
        report=report,
        actor=report.author,
        expected_version=ConcernReport.objects.get(pk=report.pk).version,
        values={"guardians_not_informed_reason": "Föräldern är sjuk."},
        categories=[ConcernCategory.SEXUAL_ABUSE],
    )
    page = page_of(
        teacher_client.post(
            autosave_url(report),
            form_data(report, categories=[ConcernCategory.NEGLECT], guardians_mode="never_tell"),
        )
    )
    assert 'name="guardians_informed"' in page
    assert "Föräldern är sjuk." in page
    report.refresh_from_db()
    assert report.guardians_informed == ""


def test_autosave_shows_the_acute_danger_notice(teacher_client, world):
    report = empty_draft(world)
    page = page_of(
        teacher_client.post(
            autosave_url(report), form_data(report, acute_danger="yes", acute_shown="0")
        )
    )
    assert '<div id="acute-notice" hx-swap-oob="true">' in page
    assert "Call the social services' emergency line (socialjouren) or 112 as well." in page
    report.refresh_from_db()
    assert report.acute_danger is True


def test_the_acute_danger_notice_is_on_the_page_after_saving(teacher_client, world):
    report = empty_draft(world)
    page = page_of(teacher_client.get(edit_url(report)))
    assert "or 112 as well" not in page
    teacher_client.post(edit_url(report), form_data(report, acute_danger="yes", save=""))
    page = page_of(teacher_client.get(edit_url(report)))
    assert "Call the social services' emergency line (socialjouren) or 112 as well." in page
    assert "The report is marked urgent." in page


# --- the acute-danger question -------------------------------------------------------------------


def _acute_radios(page: str) -> list[str]:
    return re.findall(r'<input type="radio" name="acute_danger"[^>]*>', page)


def test_a_new_report_presets_no_answer_to_acute_danger(teacher_client, teacher, world):
    school = world.unit(UnitKind.SCHOOL)
    teacher_client.post(reverse("reports:new"), {"school": school.pk})
    report = ConcernReport.objects.get(author=teacher)
    assert report.acute_danger is None
    radios = _acute_radios(page_of(teacher_client.get(edit_url(report))))
    assert len(radios) == 2
    assert not any("checked" in radio for radio in radios)


def test_an_answered_acute_danger_question_is_shown_checked(teacher_client, world):
    report = draft(world, acute_danger=False)
    radios = _acute_radios(page_of(teacher_client.get(edit_url(report))))
    assert [("checked" in radio) for radio in radios] == [False, True]  # Yes, No


def test_the_acute_danger_question_comes_right_after_the_child(teacher_client, world):
    page = page_of(teacher_client.get(edit_url(empty_draft(world))))
    child_class = page.index('id="id_child_class"')
    acute = page.index('id="id_acute_danger_0"')
    later = [
        page.index(f'id="id_{name}"')
        for name in ("guardians", "interpreter_language", "categories_0", "what_happened")
    ]
    assert child_class < acute < min(later)


def test_a_draft_saves_without_an_answer_but_submit_needs_one(teacher_client, world):
    report = draft(world, acute_danger=None)
    response = teacher_client.post(edit_url(report), form_data(report, child_name="Lisa", save=""))
    assert response.status_code == 302
    report.refresh_from_db()
    assert report.child_name == "Lisa"
    assert report.acute_danger is None

    response = teacher_client.post(edit_url(report), form_data(report, submit=""))
    page = page_of(response)
    assert response.status_code == 200
    assert "Answer whether the child is in acute danger." in page
    assert 'href="#id_acute_danger_0"' in page
    report.refresh_from_db()
    assert report.status == ReportStatus.DRAFT

    response = teacher_client.post(
        edit_url(report), form_data(report, acute_danger="no", submit="")
    )
    assert response.status_code == 302
    report.refresh_from_db()
    assert report.status == ReportStatus.SUBMITTED
    assert report.acute_danger is False


def test_the_service_refuses_to_submit_without_an_answer(world):
    report = draft(world, acute_danger=None)
    assert "acute_danger" in services_school.submission_problems(report, ["neglect"])
    with pytest.raises(ValidationError) as raised:
        services_school.report_submit(
            report=report, actor=report.author, submission_key=uuid.uuid4()
        )
    assert "acute_danger" in raised.value.message_dict
    report.refresh_from_db()
    assert report.status == ReportStatus.DRAFT


def test_the_submit_message_is_in_swedish(world):
    report = draft(world, acute_danger=None)
    swedish = Client(headers={"Accept-Language": "sv"})
    swedish.force_login(report.author)
    page = page_of(swedish.post(edit_url(report), form_data(report, submit="")))
    assert "Svara på om barnet är i akut fara." in page


# --- submitting ----------------------------------------------------------------------------------


def test_submit_with_missing_data_shows_every_problem_and_keeps_the_text(teacher_client, world):
    report = empty_draft(world)
    response = teacher_client.post(
        edit_url(report),
        form_data(report, child_words="Hon sa att pappa blir arg.", submit=""),
    )
    page = page_of(response)
    assert response.status_code == 200
    assert "The report has not been sent yet." in page
    for message in (
        "Give the child&#x27;s personal identity number or, when you do not know it",
        "Choose at least one kind of concern.",
        "Describe what happened and what you saw.",
        "Say whether the guardians have been told about the report.",
        "Answer whether the child is in acute danger.",
    ):
        assert message in page
    assert 'href="#id_categories_0"' in page
    assert 'href="#id_acute_danger_0"' in page
    assert "Hon sa att pappa blir arg." in page
    report.refresh_from_db()
    assert report.status == ReportStatus.DRAFT
    assert report.child_words == "Hon sa att pappa blir arg."


def test_submit_goes_to_the_receipt(teacher_client, world):
    report = draft(world)
    response = teacher_client.post(edit_url(report), form_data(report, submit=""))
    assert response.status_code == 302
    assert response["Location"] == reverse("reports:receipt", args=[report.public_id])
    report.refresh_from_db()
    assert report.status == ReportStatus.SUBMITTED
    assert report.submitted_at is not None


def test_a_double_submit_creates_one_report_and_one_key(teacher_client, teacher, world):
    report = draft(world)
    data = form_data(report, submit="")
    first = teacher_client.post(edit_url(report), data)
    second = teacher_client.post(edit_url(report), data)
    receipt = reverse("reports:receipt", args=[report.public_id])
    assert first["Location"] == receipt
    assert second.status_code == 302
    assert second["Location"] == receipt
    assert ConcernReport.objects.filter(author=teacher).count() == 1
    assert SubmissionKey.objects.count() == 1
    assert AuditEvent.objects.filter(event_type=AuditEventType.REPORT_SUBMITTED).count() == 1


def test_a_submitted_report_can_no_longer_be_saved(teacher_client, world):
    report = draft(world)
    teacher_client.post(edit_url(report), form_data(report, submit=""))
    other_form = form_data(report, what_happened="Ändrat i efterhand.", save="")
    assert teacher_client.post(autosave_url(report), other_form).status_code == 404
    # The form of another window leads to the status page, with a word on supplements.
    response = teacher_client.post(edit_url(report), other_form, follow=True)
    assert response.redirect_chain == [(reverse("reports:status", args=[report.public_id]), 302)]
    assert "can no longer be changed. To add something, add a supplement." in page_of(response)
    report.refresh_from_db()
    assert report.what_happened != "Ändrat i efterhand."
    response = teacher_client.get(edit_url(report))
    assert response["Location"] == reverse("reports:status", args=[report.public_id])


def test_another_municipality_needs_its_name(teacher_client, world):
    report = draft(world)
    page = page_of(
        teacher_client.post(edit_url(report), form_data(report, home=OTHER_MUNICIPALITY, submit=""))
    )
    assert "Write the name of the child&#x27;s home municipality." in page
    response = teacher_client.post(
        edit_url(report),
        form_data(report, home=OTHER_MUNICIPALITY, forward_to_name="Rättvik", submit=""),
    )
    assert response.status_code == 302
    report.refresh_from_db()
    assert report.forward_to_name == "Rättvik"
    assert report.home_municipality is None
    assert report.municipality == world.municipality()  # Leksand's intake forwards it


def test_the_home_municipality_routes_the_report(teacher_client, world):
    report = draft(world)
    eksjo = world.municipality("eksjo")
    teacher_client.post(edit_url(report), form_data(report, home=str(eksjo.pk), submit=""))
    report.refresh_from_db()
    assert report.status == ReportStatus.SUBMITTED
    assert report.municipality == eksjo


# --- the guardians -------------------------------------------------------------------------------


@pytest.mark.parametrize("category", sorted(NEVER_TELL_GUARDIANS))
def test_with_violence_the_form_never_asks_about_telling_the_guardians(
    teacher_client, world, category
):
    report = draft(world, categories=[category], guardians_informed="")
    page = page_of(teacher_client.get(edit_url(report)))
    assert "Do not tell the guardians about this report." in page
    assert 'name="guardians_informed"' not in page
    assert "Have the guardians been told" not in page
    assert 'name="guardians_mode" value="never_tell"' in page


def test_without_violence_the_form_asks(teacher_client, world):
    report = draft(world, categories=[ConcernCategory.SCHOOL_ABSENCE])
    page = page_of(teacher_client.get(edit_url(report)))
    assert "Have the guardians been told about the report?" in page
    assert "Do not tell the guardians" not in page


def test_submit_refuses_yes_with_violence_then_submits_without_asking(teacher_client, world):
    report = draft(world, categories=[ConcernCategory.NEGLECT])
    # The form was opened before violence was chosen: it still has the question, answered yes.
    stale = form_data(
        report,
        categories=[ConcernCategory.PHYSICAL_VIOLENCE],
        guardians_mode=GUARDIANS_ASK,
        guardians_informed=GuardiansInformed.YES,
        submit="",
    )
    response = teacher_client.post(edit_url(report), stale)
    page = page_of(response)
    assert response.status_code == 200
    assert "With this kind of concern the guardians should not be told about the report." in page
    assert "Do not tell the guardians about this report." in page
    assert 'href="#guardians-notice"' in page
    assert 'name="guardians_informed"' not in page
    report.refresh_from_db()
    assert report.status == ReportStatus.DRAFT
    # The page as now shown submits.
    response = teacher_client.post(edit_url(report), form_data(report, submit=""))
    assert response.status_code == 302
    report.refresh_from_db()
    assert report.status == ReportStatus.SUBMITTED
    assert report.guardians_informed == GuardiansInformed.NOT_ASKED


def test_changing_away_from_violence_brings_the_question_back_unanswered(teacher_client, world):
    report = draft(world, categories=[ConcernCategory.HONOUR_RELATED], guardians_informed="")
    data = form_data(report, categories=[ConcernCategory.NEGLECT], submit="")
    assert data["guardians_mode"] == GUARDIANS_NEVER_TELL
    page = page_of(teacher_client.post(edit_url(report), data))
    assert "Say whether the guardians have been told about the report." in page
    assert "Have the guardians been told about the report?" in page
    report.refresh_from_db()
    assert report.status == ReportStatus.DRAFT


# --- attachments ---------------------------------------------------------------------------------


def test_refused_files_are_named_and_the_accepted_one_is_kept(teacher_client, world, settings):
    settings.REPORT_ATTACHMENT_MAX_BYTES = 200
    report = empty_draft(world)
    files = [
        SimpleUploadedFile("program.exe", b"MZ\x90\x00"),
        SimpleUploadedFile("intyg.pdf", b"this is not a pdf at all"),
        SimpleUploadedFile("stor.pdf", PDF + b"x" * 300),
        SimpleUploadedFile("tom.pdf", b""),
        SimpleUploadedFile("anteckning.pdf", PDF),
    ]
    response = teacher_client.post(
        edit_url(report),
        {**form_data(report, child_name="Kim", save=""), "attachments": files},
    )
    page = page_of(response)
    assert response.status_code == 200
    assert "program.exe can not be attached. Accepted kinds of file:" in page
    assert "intyg.pdf does not look like a PDF file." in page
    assert "stor.pdf is too large" in page
    assert "The largest file you can attach is 200\xa0bytes." in page
    assert "tom.pdf is empty." in page
    attachment = Attachment.objects.get(report=report)
    assert attachment.original_name == "anteckning.pdf"
    assert attachment.content_type == "application/pdf"
    assert "Remove anteckning.pdf" in page
    report.refresh_from_db()
    assert report.child_name == "Kim"
    # Removing it saves what was typed, too.
    response = teacher_client.post(
        edit_url(report),
        form_data(report, child_name="Kim Test", remove_attachment=attachment.pk),
    )
    assert response.status_code == 302
    assert not Attachment.objects.filter(report=report).exists()
    report.refresh_from_db()
    assert report.child_name == "Kim Test"


def test_a_file_is_stored_under_a_random_name(teacher_client, world):
    report = empty_draft(world)
    teacher_client.post(
        edit_url(report),
        {
            **form_data(report, save=""),
            "attachments": [SimpleUploadedFile("Kalle Testsson.pdf", PDF)],
        },
    )
    attachment = Attachment.objects.get(report=report)
    assert "Kalle" not in str(attachment.file.name)
    assert attachment.size == len(PDF)


# --- siblings and deleting -----------------------------------------------------------------------


@pytest.mark.usefixtures("teacher")
def test_link_and_unlink_a_sibling_report(teacher_client, world):
    sister = draft(world, child_name="Syster Testsson")
    report = empty_draft(world)
    # The page lists no other child: the author finds the sibling's report by searching.
    page = page_of(teacher_client.get(edit_url(report)))
    assert "Syster Testsson" not in page
    response = teacher_client.post(
        edit_url(report), form_data(report, sibling_query="syster", find_siblings="")
    )
    assert response.status_code == 200  # the search is never put in an address
    assert "Syster Testsson – draft" in page_of(response)
    teacher_client.post(edit_url(report), form_data(report, siblings=[sister.pk], save=""))
    assert list(report.siblings.all()) == [sister]
    assert list(sister.siblings.all()) == [report]
    assert AuditEvent.objects.filter(event_type=AuditEventType.REPORT_SIBLING_LINKED).exists()
    # A linked sibling stays on the page without a search, and can be unlinked.
    assert "Syster Testsson – draft" in page_of(teacher_client.get(edit_url(report)))
    teacher_client.post(edit_url(report), form_data(report, save=""))
    assert not report.siblings.exists()


def test_only_own_reports_can_be_found_and_linked(teacher_client, world):
    theirs = draft(world, author=world.user(Role.STUDENT_HEALTH), child_name="Deras Barn")
    mine = draft(world, child_name="Mitt Barn")
    report = empty_draft(world)
    response = teacher_client.post(
        edit_url(report), form_data(report, sibling_query="barn", find_siblings="")
    )
    page = page_of(response)
    assert mine.reference in page
    assert theirs.reference not in page
    response = teacher_client.post(
        edit_url(report), form_data(report, siblings=[theirs.pk], save="")
    )
    assert "Select a valid choice." in page_of(response)
    assert not report.siblings.exists()


def test_a_sibling_is_found_by_personnummer_and_the_search_is_logged(teacher_client, world):
    sister = draft(world, child_name="Syster Testsson")
    other = draft(world, child_name="Annan Elev", child_identity_number="201203159801")
    report = empty_draft(world)
    number = f"{CHILD[2:8]}-{CHILD[8:]}"  # YYMMDD-NNNN, as people write it
    response = teacher_client.post(
        edit_url(report), form_data(report, sibling_query=number, find_siblings="")
    )
    page = page_of(response)
    assert sister.reference in page
    assert other.reference not in page
    searched = AccessLog.objects.filter(action=AccessAction.SEARCH)
    assert {int(row.object_id) for row in searched} == {sister.pk}


def test_the_draft_page_logs_the_siblings_it_shows(teacher_client, world):
    sister = draft(world, child_name="Syster Testsson")
    report = empty_draft(world)
    teacher_client.post(edit_url(report), form_data(report, siblings=[], save=""))
    services_school.sibling_link(report=report, sibling=sister, actor=report.author)
    before = AccessLog.objects.count()
    teacher_client.get(edit_url(report))
    shown = {int(row.object_id) for row in AccessLog.objects.order_by("id")[before:]}
    assert shown == {report.pk, sister.pk}


def test_delete_a_draft_after_confirming(teacher_client, world):
    report = draft(world)
    teacher_client.post(
        edit_url(report),
        {**form_data(report, save=""), "attachments": [SimpleUploadedFile("a.pdf", PDF)]},
    )
    url = reverse("reports:draft_delete", args=[report.public_id])
    page = page_of(teacher_client.get(url))
    assert "are deleted for good" in page
    assert ConcernReport.objects.filter(pk=report.pk).exists()
    response = teacher_client.post(url)
    assert response["Location"] == reverse("reports:my_reports")
    assert not ConcernReport.objects.filter(pk=report.pk).exists()
    assert not Attachment.objects.exists()
    assert AuditEvent.objects.filter(
        event_type=AuditEventType.REPORT_DRAFT_DELETED, object_id=str(report.pk)
    ).exists()
    assert teacher_client.get(url).status_code == 404


def test_a_submitted_report_can_not_be_deleted(teacher_client, world):
    report = draft(world)
    teacher_client.post(edit_url(report), form_data(report, submit=""))
    url = reverse("reports:draft_delete", args=[report.public_id])
    assert teacher_client.post(url).status_code == 404
    assert ConcernReport.objects.filter(pk=report.pk).exists()


# --- the session ends while typing -----------------------------------------------------------


def test_autosave_after_the_session_ended_answers_401_not_the_login_page(teacher_client, world):
    # A redirect to the login page, followed by htmx, put the login page into the status line.
    report = draft(world)
    data = form_data(report, what_happened="Skrivet efter utloggningen.")
    teacher_client.logout()
    response = teacher_client.post(autosave_url(report), data)
    assert response.status_code == 401
    assert response.json() == {"error": "logged_out"}
    report.refresh_from_db()
    assert report.what_happened != "Skrivet efter utloggningen."


def test_autosave_answers_every_logged_out_request_alike(client, world):
    # The same answer for a draft that exists and one that does not: it tells nothing.
    real = client.post(autosave_url(draft(world)), {})
    missing = client.post(reverse("reports:draft_autosave", args=[uuid.uuid4()]), {})
    assert (real.status_code, real.content) == (missing.status_code, missing.content)


def test_save_after_the_session_ended_goes_to_the_login_and_back_to_the_form(teacher_client, world):
    # The page's script kept the text in the tab; after the login the form puts it back.
    report = draft(world)
    teacher_client.logout()
    response = teacher_client.post(edit_url(report), form_data(report, save=""))
    assert response.status_code == 302
    assert response["Location"] == f"{reverse('account_login')}?next={edit_url(report)}"


def test_the_form_tells_what_to_do_when_the_session_ends(teacher_client, world):
    report = draft(world)
    page = page_of(teacher_client.get(edit_url(report)))
    login = f"{reverse('account_login')}?next={edit_url(report)}"
    assert 'id="session-notice"' in page
    assert f'href="{login}"' in page
    assert f'data-draft="{report.public_id}"' in page
