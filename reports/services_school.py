"""Services for the school side of reports of concern: the author's private draft, its save
(with files and sibling links, and the submission in the same transaction), the submission
that starts the statutory clocks, supplements and attachments after submission, and
deleting a draft. Each runs in a transaction, checks the policy and the state machine,
timestamps who did what and writes an audit event.

Used by ``reports.views_school`` and the demo data; the intake's steps are in
``reports.services_intake``, what both share in ``reports.services_common``.
"""

import datetime
import uuid
from collections.abc import Iterable
from dataclasses import dataclass, field
from typing import Any

from django.core.exceptions import ValidationError
from django.core.files.uploadedfile import UploadedFile
from django.db import IntegrityError, transaction
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from access.models import AuditEventType
from access.policies import NotPermitted
from core.uploads import delete_on_commit, files_all_or_nothing, note_stored
from organisations.models import Membership, Unit, User
from reports.identity import child_ref_for
from reports.models import (
    NEVER_TELL_GUARDIANS,
    Attachment,
    ConcernReport,
    ConcernReportCategory,
    GuardiansInformed,
    ReportStatus,
    SubmissionKey,
    Supplement,
)
from reports.policies import OWN, report_policy, reporting_memberships
from reports.references import save_with_unique_reference
from reports.services_common import (
    ConcurrentEditError,
    TransitionError,
    _audit,
    _lock,
    _start_clocks,
    child_identified,
)

# The fields of a draft the author may change.
DRAFT_FIELDS = (
    "school_unit",
    "home_municipality",
    "forward_to_name",
    "child_identity_number",
    "child_name",
    "child_approximate_age",
    "child_class",
    "guardians",
    "interpreter_language",
    "what_happened",
    "child_words",
    "acute_danger",
    "guardians_informed",
    "guardians_not_informed_reason",
    "wants_feedback",
    "reporter_phone",
    "reporter_email",
)


# --- the school side ---------------------------------------------------------------------------


def report_draft_create(
    *,
    author: User,
    membership: Membership,
    school_unit: Unit,
    now: datetime.datetime | None = None,
) -> ConcernReport:
    """Start a private draft; the child's home municipality defaults to the school's.

    ``now`` backdates the draft (demo data); by default it is created now. The membership
    must be one the author may file in today, and the school one of its municipality's
    (``NotPermitted`` otherwise).
    """
    if membership not in reporting_memberships(author) or (
        school_unit.municipality_id != membership.unit.municipality_id
    ):
        raise NotPermitted
    with transaction.atomic():
        report = ConcernReport(
            author=author,
            author_role=membership.role,
            author_sector=membership.unit.sector,
            school_unit=school_unit,
            municipality=school_unit.municipality,
            home_municipality=school_unit.municipality,
            reporter_phone=author.phone,
            reporter_email=author.email,
            child_ref=child_ref_for(""),
        )
        save_with_unique_reference(report)
        if now is not None:
            _backdate(report, now, "created_at", "updated_at")
        _audit(author, report, AuditEventType.REPORT_DRAFT_CREATED)
    return report


def _backdate(obj: ConcernReport | Supplement, now: datetime.datetime, *fields: str) -> None:
    # The automatic timestamps always take the clock's time on insert; demo data sets its own.
    type(obj)._default_manager.filter(pk=obj.pk).update(**dict.fromkeys(fields, now))
    for name in fields:
        setattr(obj, name, now)


def report_draft_update(
    *,
    report: ConcernReport,
    actor: User,
    expected_version: int,
    values: dict[str, Any],
    categories: Iterable[str],
) -> ConcernReport:
    """Save a draft (incomplete is fine). Refuses to overwrite a newer save of the same draft."""
    with transaction.atomic():
        locked = _lock(report, actor, OWN)
        if locked.status != ReportStatus.DRAFT:
            raise TransitionError("A submitted report can not be changed.")
        if locked.version != expected_version:
            raise ConcurrentEditError
        for name in DRAFT_FIELDS:
            if name in values:
                setattr(locked, name, values[name])
        locked.child_ref = _child_ref(locked)
        locked.version += 1
        locked.save()
        _set_categories(locked, categories)
    return locked


def _child_ref(report: ConcernReport) -> str:
    """The access log's reference for the child: derived from the identity number when it is
    known, otherwise a random one kept for this report (drafts are logged too)."""
    if report.child_identity_number:
        return child_ref_for(report.child_identity_number)
    if report.child_ref.startswith("u-"):
        return report.child_ref
    return child_ref_for("")


def _set_categories(report: ConcernReport, categories: Iterable[str]) -> None:
    wanted = set(categories)
    existing = set(report.categories.values_list("category", flat=True))
    report.categories.filter(category__in=existing - wanted).delete()
    ConcernReportCategory.objects.bulk_create(
        ConcernReportCategory(report=report, category=category) for category in wanted - existing
    )


def submission_problems(report: ConcernReport, categories: Iterable[str]) -> dict[str, list[str]]:
    """What is missing before a draft can be submitted, by field (empty: ready)."""
    categories = set(categories)
    problems: dict[str, list[str]] = {}

    def add(field: str, message: Any) -> None:
        problems.setdefault(field, []).append(str(message))

    if not child_identified(
        report.child_identity_number,
        report.child_name,
        report.child_approximate_age,
        report.child_class,
    ):
        add(
            "child_identity_number",
            _(
                "Give the child's personal identity number or, when you do not know it, "
                "the child's name and approximate age or class."
            ),
        )
    if report.acute_danger is None:
        # Never preset: the reporter must say it, and a "Yes" marks the report urgent.
        add("acute_danger", _("Answer whether the child is in acute danger."))
    if not categories:
        add("categories", _("Choose at least one kind of concern."))
    if not report.what_happened.strip():
        add("what_happened", _("Describe what happened and what you saw."))
    if not report.reporter_phone and not report.reporter_email:
        add(
            "reporter_phone",
            _("Give a phone number or e-mail address where the intake can reach you."),
        )
    guardians = _guardians_problem(report, categories)
    if guardians is not None:
        add(*guardians)
    if report.home_municipality is None and not report.forward_to_name.strip():
        add("home_municipality", _("Choose the child's home municipality."))
    return problems


def _guardians_problem(report: ConcernReport, categories: set[str]) -> tuple[str, Any] | None:
    """The field and message of what is wrong with the answer about the guardians, if anything."""
    if categories & NEVER_TELL_GUARDIANS:
        if report.guardians_informed == GuardiansInformed.YES:
            return (
                "guardians_informed",
                _(
                    "With this kind of concern the guardians should not be told about the "
                    "report. Contact the intake before you talk to the family."
                ),
            )
        return None
    if not report.guardians_informed:
        return (
            "guardians_informed",
            _("Say whether the guardians have been told about the report."),
        )
    if (
        report.guardians_informed == GuardiansInformed.NO
        and not report.guardians_not_informed_reason.strip()
    ):
        return ("guardians_not_informed_reason", _("Say why the guardians have not been told."))
    return None


def report_submit(
    *,
    report: ConcernReport,
    actor: User,
    submission_key: uuid.UUID,
    now: datetime.datetime | None = None,
) -> ConcernReport:
    """Submit a draft: it becomes immutable, arrives at the intake, and its clocks start.

    The same ``submission_key`` (one per form) returns the already submitted report, so a
    double click creates one report and one arrival.
    """
    now = now or timezone.now()
    with transaction.atomic():
        locked = _lock(report, actor, OWN)
        earlier = SubmissionKey.objects.filter(key=submission_key).select_related("report").first()
        if earlier is not None:
            return earlier.report
        if locked.status != ReportStatus.DRAFT:
            return locked  # already submitted through another form
        categories = list(locked.categories.values_list("category", flat=True))
        problems = submission_problems(locked, categories)
        if problems:
            raise ValidationError(problems)
        _route(locked)
        if set(categories) & NEVER_TELL_GUARDIANS:
            locked.guardians_informed = GuardiansInformed.NOT_ASKED
        locked.child_ref = _child_ref(locked)
        locked.status = ReportStatus.SUBMITTED
        _start_clocks(locked, now)
        locked.version += 1
        # Routed to another municipality, the draft's reference may be taken there.
        save_with_unique_reference(locked)
        try:
            with transaction.atomic():
                SubmissionKey.objects.create(key=submission_key, report=locked)
        except IntegrityError:
            pass  # the key was used by a concurrent request for this same report
        _audit(actor, locked, AuditEventType.REPORT_SUBMITTED, urgent=locked.acute_danger)
    return locked


def _route(report: ConcernReport) -> None:
    """To the intake of the child's home municipality when it is on this installation;
    otherwise the school's municipality's intake forwards it by other means."""
    if report.home_municipality is not None:
        report.municipality = report.home_municipality
        report.forward_to_name = ""
    else:
        assert report.school_unit is not None  # a school's draft always has its school
        report.municipality = report.school_unit.municipality


def report_supplement_add(
    *,
    report: ConcernReport,
    actor: User,
    text: str,
    files: Iterable[UploadedFile] = (),
    now: datetime.datetime | None = None,
) -> Supplement:
    """Add information after submission; the report itself stays as it arrived. A file the
    storage can not take (disk full) adds nothing: ``FileNotStoredError``."""
    with files_all_or_nothing("report supplement", field="attachments"), transaction.atomic():
        locked = _lock(report, actor, OWN)
        if locked.status in (ReportStatus.DRAFT, ReportStatus.CLOSED):
            raise TransitionError("Supplements are added to submitted, open reports.")
        supplement = Supplement.objects.create(report=locked, author=actor, text=text)
        if now is not None:
            _backdate(supplement, now, "created_at")
        for upload in files:
            attachment_add(report=locked, actor=actor, upload=upload, supplement=supplement)
        _audit(actor, locked, AuditEventType.REPORT_SUPPLEMENTED, supplement=supplement.pk)
    return supplement


def attachment_add(
    *,
    report: ConcernReport,
    actor: User,
    upload: UploadedFile,
    supplement: Supplement | None = None,
) -> Attachment:
    """Store an already validated upload (see ``core.uploads``) under a random name."""
    if supplement is None and report.status != ReportStatus.DRAFT:
        raise TransitionError("Files are added to a submitted report through a supplement.")
    attachment = Attachment.objects.create(
        report=report,
        supplement=supplement,
        file=upload,
        original_name=(upload.name or "file")[:255],
        content_type=upload.content_type or "application/octet-stream",
        size=upload.size or 0,
        uploaded_by=actor,
    )
    note_stored(attachment.file)
    return attachment


def sibling_link(*, report: ConcernReport, sibling: ConcernReport, actor: User) -> None:
    """Link two reports by the same author about siblings (one child per report)."""
    if report.pk == sibling.pk:
        raise ValueError("A report can not be its own sibling.")
    report_policy.require(actor, OWN, report)
    report_policy.require(actor, OWN, sibling)
    with transaction.atomic():
        report.siblings.add(sibling)
        _audit(actor, report, AuditEventType.REPORT_SIBLING_LINKED, sibling=sibling.pk)


# =================================================================================================
# The school side's forms: saving a draft with its files and sibling links in one go (and
# submitting it in the same transaction), deleting a draft, and adding a supplement once per form.
# =================================================================================================


@dataclass
class DraftSaved:
    """The outcome of :func:`report_draft_save`."""

    report: ConcernReport
    submitted: bool = False
    # Why the report could not be submitted (only when a submission was asked for).
    problems: dict[str, list[str]] = field(default_factory=dict)


def report_draft_save(
    *,
    report: ConcernReport,
    actor: User,
    expected_version: int,
    values: dict[str, Any],
    categories: Iterable[str] | None,
    sibling_ids: Iterable[int] | None = None,
    uploads: Iterable[UploadedFile] = (),
    remove_attachment_ids: Iterable[int] = (),
    submission_key: uuid.UUID | None = None,
) -> DraftSaved:
    """Save what the author typed: fields, categories (``None`` keeps them), new files
    (already checked by ``core.uploads``), removed files and sibling links, all or nothing.

    With a ``submission_key`` the draft is then submitted in the same transaction when nothing
    is missing; otherwise the save stands and ``problems`` says what is missing. Because the
    save locks the draft first, a second press of the same submit button waits for the first
    and then gets ``TransitionError`` (the report is no longer a draft).

    Raises ``ConcurrentEditError`` (nothing saved) when the draft was saved elsewhere since
    ``expected_version``, ``TransitionError`` when it is no longer a draft, and
    ``FileNotStoredError`` (nothing saved, no file left behind) when the storage can not take
    a file.
    """
    with files_all_or_nothing("report attachment", field="attachments"), transaction.atomic():
        if categories is None:
            categories = list(report.categories.values_list("category", flat=True))
        categories = list(categories)
        saved = report_draft_update(
            report=report,
            actor=actor,
            expected_version=expected_version,
            values=values,
            categories=categories,
        )
        for attachment in saved.attachments.filter(
            pk__in=list(remove_attachment_ids), supplement__isnull=True
        ):
            _attachment_delete(attachment)
        for upload in uploads:
            attachment_add(report=saved, actor=actor, upload=upload)
        if sibling_ids is not None:
            _siblings_set(saved, actor, set(sibling_ids))
        if submission_key is None:
            return DraftSaved(report=saved)
        problems = submission_problems(saved, categories)
        if problems:
            return DraftSaved(report=saved, problems=problems)
        submitted = report_submit(report=saved, actor=actor, submission_key=submission_key)
    return DraftSaved(report=submitted, submitted=True)


def _attachment_delete(attachment: Attachment) -> None:
    """Remove a draft's file: the row now, the stored file once the transaction commits."""
    delete_on_commit(attachment.file)
    attachment.delete()


def _siblings_set(report: ConcernReport, actor: User, wanted: set[int]) -> None:
    """Link the draft to exactly ``wanted`` among the author's own other reports. Unlinking is
    a change of the draft (not audited, like its text); every new link is audited."""
    own = ConcernReport.objects.filter(
        pk__in=report_policy.visible(actor, OWN).values("pk")
    ).exclude(pk=report.pk)
    linked = set(report.siblings.filter(author_id=report.author_id).values_list("pk", flat=True))
    if linked - wanted:
        report.siblings.remove(*(linked - wanted))
    for sibling in own.filter(pk__in=wanted - linked):
        sibling_link(report=report, sibling=sibling, actor=actor)


def report_draft_delete(*, report: ConcernReport, actor: User) -> None:
    """Delete a draft for good, with its files and links. A submitted report is never deleted
    (``TransitionError``)."""
    with transaction.atomic():
        locked = _lock(report, actor, OWN)
        if locked.status != ReportStatus.DRAFT:
            raise TransitionError("Only a draft can be deleted.")
        for attachment in locked.attachments.all():
            _attachment_delete(attachment)
        locked.siblings.clear()
        _audit(actor, locked, AuditEventType.REPORT_DRAFT_DELETED)
        locked.delete()


def report_supplement_submit(
    *,
    report: ConcernReport,
    actor: User,
    text: str,
    files: Iterable[UploadedFile] = (),
    submission_key: uuid.UUID,
) -> Supplement | None:
    """Add a supplement once per form: the same ``submission_key`` again (a double click)
    adds nothing and returns ``None``."""
    with transaction.atomic():
        try:
            with transaction.atomic():
                SubmissionKey.objects.create(key=submission_key, report=report)
        except IntegrityError:
            return None
        return report_supplement_add(report=report, actor=actor, text=text, files=files)
