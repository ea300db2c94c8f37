"""Services of survey rounds: create, choose the analysis group, invite, send, remind, close.

Links: each invitation gets a fresh random token when the round is sent (and when a reminder
is sent); only its digest is stored, so the token exists in the e-mail alone. E-mails are sent
after the transaction commits, one message per invitation (recipients never see each other),
and hold the round's title, the closing date and the link: nothing about anybody.

Work is claimed in the database: sending locks the round and does nothing the second time;
a reminder claims each invitation with a conditional update, so two runs (or two workers)
never e-mail the same person twice.
"""

import datetime
import logging
import re
import uuid
from collections.abc import Callable, Iterable, Sequence
from dataclasses import dataclass, field
from enum import StrEnum

from django.conf import settings
from django.core.exceptions import ValidationError
from django.core.mail import EmailMessage
from django.core.validators import validate_email
from django.db import transaction
from django.db.models import Q
from django.urls import reverse
from django.utils import formats, timezone, translation
from django.utils.translation import gettext as _

from access.models import AuditEventType
from access.policies import NotPermitted, Permit
from access.services import audit_event_record
from core.notifications import notify
from organisations.models import Membership, Municipality, Role, Unit, User, active_on
from surveys.models import (
    AnalysisMember,
    Invitation,
    Round,
    TemplateVersion,
    new_token,
    token_digest,
)
from surveys.policies import MANAGE, template_policy

logger = logging.getLogger(__name__)

# Days before closing when the automatic reminder goes out (``manage.py survey_reminders``).
REMINDER_DAYS_BEFORE_CLOSING = 5
MAX_PASTED_ADDRESSES = 2000


class RoundStatus(StrEnum):
    DRAFT = "draft"
    SCHEDULED = "scheduled"
    OPEN = "open"
    CLOSED = "closed"


def round_status(round_: Round, today: datetime.date | None = None) -> RoundStatus:
    today = today or timezone.localdate()
    if round_.sent_at is None:
        return RoundStatus.DRAFT
    if round_.closed_early_at is not None or today > round_.closes_on:
        return RoundStatus.CLOSED
    if today < round_.opens_on:
        return RoundStatus.SCHEDULED
    return RoundStatus.OPEN


class RoundNotDraftError(ValueError):
    """The round has been sent: its template and respondents can not change any more."""


# --- creating and preparing a round -----------------------------------------------------------


@dataclass(frozen=True)
class RoundData:
    title: str
    opens_on: datetime.date
    closes_on: datetime.date
    occurrence_id: int | None = None


def _check_dates(data: RoundData) -> None:
    if data.closes_on < data.opens_on:
        raise ValidationError(
            {"closes_on": _("The round can not close before it opens.")}, code="dates"
        )


def round_create(
    *,
    actor: User,
    version: TemplateVersion,
    data: RoundData,
    submission_key: uuid.UUID | None = None,
) -> Round:
    """A draft round of ``version``'s template. The same ``submission_key`` again returns the
    round made the first time (a form sent twice)."""
    municipality_id = version.template.municipality_id
    if template_policy.grant_for_municipality(actor, MANAGE, municipality_id) is None:
        raise NotPermitted
    _check_dates(data)
    with transaction.atomic():
        if submission_key is not None:
            earlier = Round.objects.filter(submission_key=submission_key).first()
            if earlier is not None:
                return earlier
        round_ = Round.objects.create(
            municipality_id=municipality_id,
            template_version=version,
            title=data.title.strip(),
            opens_on=data.opens_on,
            closes_on=data.closes_on,
            occurrence_id=data.occurrence_id,
            created_by=actor,
            submission_key=submission_key,
        )
        audit_event_record(
            actor=actor,
            municipality=version.template.municipality,
            event_type=AuditEventType.SURVEY_ROUND_CREATED,
            obj=round_,
            new={"title": round_.title, "version": version.pk},
        )
    return round_


def round_update(*, permit: Permit[Round], actor: User, data: RoundData) -> Round:
    """Change the title, the period or the wheel activity (the period also after sending:
    a round may be extended)."""
    round_ = permit.require(MANAGE)
    _check_dates(data)
    with transaction.atomic():
        locked = Round.objects.select_for_update().get(pk=round_.pk)
        old = {
            "title": locked.title,
            "opens_on": locked.opens_on,
            "closes_on": locked.closes_on,
            "occurrence": locked.occurrence_id,
        }
        locked.title = data.title.strip()
        locked.opens_on = data.opens_on
        locked.closes_on = data.closes_on
        locked.occurrence_id = data.occurrence_id
        locked.save(update_fields=["title", "opens_on", "closes_on", "occurrence"])
        audit_event_record(
            actor=actor,
            municipality=locked.municipality,
            event_type=AuditEventType.SURVEY_ROUND_CHANGED,
            obj=locked,
            old=old,
            new={
                "title": locked.title,
                "opens_on": locked.opens_on,
                "closes_on": locked.closes_on,
                "occurrence": locked.occurrence_id,
            },
        )
    return locked


def analysis_group_candidates(municipality: Municipality) -> list[tuple[User, str]]:
    """The municipality's active users with a membership in force today, each with the sector
    of their first unit (by name): whom the analysis group can be chosen from."""
    found: dict[int, tuple[User, str]] = {}
    memberships = (
        Membership.objects.filter(
            active_on(timezone.localdate()),
            unit__municipality=municipality,
            unit__is_active=True,
            user__is_active=True,
        )
        .select_related("user", "unit")
        .order_by("user__first_name", "user__last_name", "user_id", "unit__name")
    )
    for membership in memberships:
        found.setdefault(membership.user_id, (membership.user, membership.unit.sector))
    return list(found.values())


def analysis_group_set(*, permit: Permit[Round], actor: User, user_ids: Iterable[int]) -> None:
    """Make the analysis group exactly the chosen users (of the round's municipality), each
    with the sector of their unit."""
    round_ = permit.require(MANAGE)
    candidates = {
        user.pk: sector for user, sector in analysis_group_candidates(round_.municipality)
    }
    chosen = set(user_ids)
    if not chosen <= set(candidates):
        raise ValidationError({"members": _("Choose among the municipality's staff.")})
    with transaction.atomic():
        Round.objects.select_for_update().get(pk=round_.pk)
        current = set(AnalysisMember.objects.filter(round=round_).values_list("user_id", flat=True))
        AnalysisMember.objects.filter(round=round_, user_id__in=current - chosen).delete()
        added = sorted(chosen - current)
        AnalysisMember.objects.bulk_create(
            [
                AnalysisMember(round=round_, user_id=user_id, sector=candidates[user_id])
                for user_id in added
            ]
        )
        if added:
            with translation.override(settings.LANGUAGE_CODE):
                text = _("You are in the analysis group of the survey “%(title)s”.") % {
                    "title": round_.title
                }
            notify(
                users=User.objects.filter(pk__in=added),
                text=text,
                url=reverse("surveys:round", args=[round_.pk]),
                dedupe_key=f"survey-analysis-group-{round_.pk}",
                email_subject=text,
            )
        audit_event_record(
            actor=actor,
            municipality=round_.municipality,
            event_type=AuditEventType.SURVEY_ROUND_CHANGED,
            obj=round_,
            old={"analysis_group": sorted(current)},
            new={"analysis_group": sorted(chosen)},
        )


_SEPARATORS = re.compile(r"[\s,;<>]+")


@dataclass
class PastedAddresses:
    valid: list[str] = field(default_factory=list)
    invalid: list[str] = field(default_factory=list)
    duplicates: int = 0


def parse_addresses(text: str) -> PastedAddresses:
    """The addresses in a pasted list (separated by lines, spaces, commas or semicolons; an
    address in angle brackets as mail programs copy it is fine), lower-cased, duplicates
    removed, and the pieces that are not addresses."""
    result = PastedAddresses()
    seen: set[str] = set()
    for piece in _SEPARATORS.split(text):
        piece = piece.strip().strip("\"'()")
        if not piece:
            continue
        if "@" not in piece and piece.replace("-", "").isalpha():
            # A word of a name copied with the address ("Anna Ek <anna.ek@...>").
            continue
        address = piece.lower()
        try:
            validate_email(address)
        except ValidationError:
            result.invalid.append(piece)
            continue
        if address in seen:
            result.duplicates += 1
            continue
        seen.add(address)
        result.valid.append(address)
    return result


def _placeholder_digest() -> str:
    # Until the round is sent an invitation has no usable link: a digest of a token nobody
    # keeps fills the unique column.
    return token_digest(new_token())


def _require_draft(round_: Round) -> Round:
    locked = Round.objects.select_for_update().get(pk=round_.pk)
    if locked.sent_at is not None:
        raise RoundNotDraftError
    return locked


def invitations_add_addresses(
    *, permit: Permit[Round], actor: User, addresses: Sequence[str], sector: str = ""
) -> int:
    """Invite ``addresses`` (already parsed), skipping those the round already invites;
    returns how many were added."""
    round_ = permit.require(MANAGE)
    with transaction.atomic():
        _require_draft(round_)
        existing = set(Invitation.objects.filter(round=round_).values_list("email", flat=True))
        new = [address for address in addresses if address.lower() not in existing]
        Invitation.objects.bulk_create(
            [
                Invitation(
                    round=round_,
                    email=address.lower(),
                    sector=sector,
                    token_digest=_placeholder_digest(),
                )
                for address in new
            ]
        )
        _recipients_changed(round_, actor, added=len(new))
    return len(new)


def _recipients_changed(
    round_: Round, actor: User, *, added: int = 0, cleared: bool = False
) -> None:
    # How many, never who: the addresses stay out of the audit trail.
    audit_event_record(
        actor=actor,
        municipality=round_.municipality,
        event_type=AuditEventType.SURVEY_ROUND_CHANGED,
        obj=round_,
        new={"recipients_added": added} if not cleared else {"recipients_cleared": True},
    )


def members_for(units: Iterable[Unit], roles: Iterable[str]) -> list[Membership]:
    """The active memberships with one of ``roles`` at one of ``units``, of active users who
    have an e-mail address."""
    return list(
        Membership.objects.filter(
            active_on(timezone.localdate()),
            unit__in=list(units),
            role__in=list(roles),
            user__is_active=True,
        )
        .exclude(user__email="")
        .select_related("user", "unit")
        .order_by("unit__name", "user_id")
    )


def invitations_add_members(
    *, permit: Permit[Round], actor: User, units: Sequence[Unit], roles: Sequence[str]
) -> int:
    """Invite every active member with one of ``roles`` at one of ``units`` (by their
    address, with their unit, role and the unit's sector); each person once per round."""
    round_ = permit.require(MANAGE)
    if any(unit.municipality_id != round_.municipality_id for unit in units):
        raise NotPermitted
    if any(role not in Role.values for role in roles):
        raise ValidationError({"roles": _("Choose among the roles listed.")})
    with transaction.atomic():
        _require_draft(round_)
        existing = set(Invitation.objects.filter(round=round_).values_list("email", flat=True))
        rows = []
        for membership in members_for(units, roles):
            address = membership.user.email.lower()
            if address in existing:
                continue
            existing.add(address)
            rows.append(
                Invitation(
                    round=round_,
                    email=address,
                    unit=membership.unit,
                    role=membership.role,
                    sector=membership.unit.sector,
                    token_digest=_placeholder_digest(),
                )
            )
        Invitation.objects.bulk_create(rows)
        _recipients_changed(round_, actor, added=len(rows))
    return len(rows)


def invitations_clear(*, permit: Permit[Round], actor: User) -> None:
    """Remove every invitation of a round not yet sent (to start the list again)."""
    round_ = permit.require(MANAGE)
    with transaction.atomic():
        _require_draft(round_)
        Invitation.objects.filter(round=round_).delete()
        _recipients_changed(round_, actor, cleared=True)


# --- sending ----------------------------------------------------------------------------------


@dataclass(frozen=True)
class Outgoing:
    address: str
    token: str


def answer_url(token: str) -> str:
    return settings.SITE_URL.rstrip("/") + reverse("survey_answer:answer", args=[token])


def _message_text(round_: Round, token: str, *, reminder: bool) -> tuple[str, str]:
    """Subject and body of an invitation or reminder, in the installation's language."""
    with translation.override(settings.LANGUAGE_CODE):
        values = {
            "title": round_.title,
            "municipality": round_.municipality.name,
            "closes": formats.date_format(round_.closes_on),
            "link": answer_url(token),
        }
        if reminder:
            subject = _("Reminder: %(title)s") % values
            body = (
                _(
                    "Hello!\n\nYou have not yet answered the survey “%(title)s” from "
                    "%(municipality)s municipality. It closes on %(closes)s.\n\n%(link)s\n\n"
                    "This link replaces the "
                    "one in the earlier e-mail. If you have started and saved your answers, they "
                    "are still there.\n\nThe answers are anonymous. If you have already answered, "
                    "please ignore this e-mail.\n"
                )
                % values
            )
        else:
            subject = _("Survey: %(title)s") % values
            body = (
                _(
                    "Hello!\n\n%(municipality)s municipality asks for your answers to the survey "
                    "“%(title)s”. The answers are anonymous. Please answer by %(closes)s.\n\n"
                    "%(link)s\n\nThe link is yours alone and can be used to answer once. You can "
                    "save and go on later with the same link.\n"
                )
                % values
            )
    return subject, body


def _send(round_: Round, outgoing: Sequence[Outgoing], *, reminder: bool) -> None:
    """Send the messages (after commit): one per recipient, who sees no other address."""
    failed = 0
    for item in outgoing:
        subject, body = _message_text(round_, item.token, reminder=reminder)
        try:
            EmailMessage(subject, body, None, [item.address]).send()
        except OSError:  # smtplib's errors included
            failed += 1
    if failed:
        # Never the address or the link in the log.
        logger.warning("%d e-mails of survey round %s could not be sent.", failed, round_.pk)


Deliver = Callable[[Round, Sequence[Outgoing]], None]


def _deliver_invitations(round_: Round, outgoing: Sequence[Outgoing]) -> None:
    _send(round_, outgoing, reminder=False)


def round_send(
    *,
    permit: Permit[Round],
    actor: User,
    now: datetime.datetime | None = None,
    deliver: Deliver = _deliver_invitations,
) -> int:
    """Freeze the round's version and e-mail every invitation its link; returns how many
    were sent. A second call (a double click, a second tab) sends nothing. E-mails go out
    after commit; another ``deliver`` gets the links at once (the demo loader answers through
    them instead of e-mailing)."""
    round_ = permit.require(MANAGE)
    now = now or timezone.now()
    with transaction.atomic():
        locked = Round.objects.select_for_update().get(pk=round_.pk)
        if locked.sent_at is not None:
            return 0
        invitations = list(Invitation.objects.filter(round=locked).order_by("pk"))
        if not invitations:
            raise ValidationError(_("Invite at least one person before you send the round."))
        TemplateVersion.objects.filter(pk=locked.template_version_id, frozen_at=None).update(
            frozen_at=now
        )
        outgoing = []
        for invitation in invitations:
            token = new_token()
            invitation.token_digest = token_digest(token)
            invitation.sent_at = now
            if invitation.email:
                outgoing.append(Outgoing(invitation.email, token))
        Invitation.objects.bulk_update(invitations, ["token_digest", "sent_at"], batch_size=500)
        locked.sent_at = now
        locked.save(update_fields=["sent_at"])
        audit_event_record(
            actor=actor,
            municipality=locked.municipality,
            event_type=AuditEventType.SURVEY_ROUND_SENT,
            obj=locked,
            new={"invitations": len(invitations)},
        )
        if deliver is _deliver_invitations:
            transaction.on_commit(lambda: deliver(locked, outgoing))
        else:
            deliver(locked, outgoing)  # the demo's collector: no e-mail, nothing to wait for
    return len(outgoing)


def round_close_early(*, permit: Permit[Round], actor: User) -> Round:
    """Close an open round before its closing date: its links stop working."""
    round_ = permit.require(MANAGE)
    with transaction.atomic():
        locked = Round.objects.select_for_update().get(pk=round_.pk)
        if locked.sent_at is None or locked.closed_early_at is not None:
            return locked
        locked.closed_early_at = timezone.now()
        locked.save(update_fields=["closed_early_at"])
        audit_event_record(
            actor=actor,
            municipality=locked.municipality,
            event_type=AuditEventType.SURVEY_ROUND_CLOSED,
            obj=locked,
        )
    return locked


# --- reminders --------------------------------------------------------------------------------


def _start_of(day: datetime.date) -> datetime.datetime:
    return datetime.datetime.combine(day, datetime.time.min, tzinfo=timezone.get_current_timezone())


def _remind(round_: Round, not_since: datetime.datetime, actor: User | None) -> int:
    """Claim and remind every unanswered invitation of ``round_`` not reminded since
    ``not_since``; each claim is its own conditional update, so a concurrent run claims
    nobody twice. The reminder carries a new link (the old token is not kept)."""
    now = timezone.now()
    candidates = list(
        Invitation.objects.filter(round=round_, answered=False)
        .filter(Q(reminded_at__isnull=True) | Q(reminded_at__lt=not_since))
        .exclude(email="")
        .values_list("pk", "email", "reminded_at")
    )
    outgoing = []
    for pk, address, reminded_at in candidates:
        token = new_token()
        claimed = (
            Invitation.objects.filter(pk=pk, answered=False, reminded_at=reminded_at)
            .filter(Q(reminded_at__isnull=True) | Q(reminded_at__lt=not_since))
            .update(reminded_at=now, token_digest=token_digest(token))
        )
        if claimed:
            outgoing.append(Outgoing(address, token))
    if outgoing:
        audit_event_record(
            actor=actor,
            municipality=round_.municipality,
            event_type=AuditEventType.SURVEY_REMINDERS_SENT,
            obj=round_,
            new={"reminders": len(outgoing)},
        )
        transaction.on_commit(lambda: _send(round_, outgoing, reminder=True))
    return len(outgoing)


def reminders_send_now(
    *, permit: Permit[Round], actor: User, today: datetime.date | None = None
) -> int:
    """The coordinator's "send a reminder": to everybody who has not answered and has not
    been reminded today (so a second click the same day sends nothing)."""
    round_ = permit.require(MANAGE)
    today = today or timezone.localdate()
    if round_status(round_, today) != RoundStatus.OPEN:
        return 0
    with transaction.atomic():
        return _remind(round_, _start_of(today), actor)


def reminders_send_due(
    *, today: datetime.date | None = None, days_before: int = REMINDER_DAYS_BEFORE_CLOSING
) -> int:
    """The periodic job: for every open round closing within ``days_before`` days, remind
    whoever has not answered and has not been reminded since that window began."""
    today = today or timezone.localdate()
    rounds = Round.objects.filter(
        sent_at__isnull=False,
        closed_early_at__isnull=True,
        opens_on__lte=today,
        closes_on__gte=today,
        closes_on__lte=today + datetime.timedelta(days=days_before),
    ).select_related("municipality")
    sent = 0
    for round_ in rounds:
        window = _start_of(round_.closes_on - datetime.timedelta(days=days_before))
        with transaction.atomic():
            sent += _remind(round_, window, None)
    return sent
