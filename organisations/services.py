"""Services that change organisations. Each runs in a transaction and writes its audit event."""

import datetime
import logging
from typing import Any

from django.conf import settings
from django.contrib.auth.password_validation import validate_password
from django.core.exceptions import ValidationError
from django.core.mail import send_mail
from django.db import models, transaction
from django.db.models import Q
from django.urls import reverse
from django.utils import formats, timezone, translation
from django.utils.translation import gettext as _

from access.models import AuditEventType
from access.policies import NotPermitted, Policy
from access.services import audit_event_record
from organisations.models import (
    DEFAULT_SECTOR_BY_KIND,
    ROLES_THAT_SEE_CHILDREN,
    Membership,
    MembershipState,
    Municipality,
    Role,
    SchoolTerm,
    Sector,
    Unit,
    User,
)
from organisations.policies import (
    ADMINISTER,
    APPROVE,
    MANAGE,
    OrganisationAction,
    membership_policy,
    term_policy,
    unit_policy,
    user_policy,
)

logger = logging.getLogger(__name__)

_UNIT_FIELDS = (
    "name",
    "kind",
    "sector",
    "school_forms",
    "pupil_count",
    "staff_count",
    "is_active",
    "parent_id",
)
_TERM_FIELDS = ("kind", "starts_on", "ends_on")
_USER_FIELDS = ("first_name", "last_name", "email", "title", "phone", "is_active")


def _snapshot(obj: Any, fields: tuple[str, ...]) -> dict[str, Any]:
    return {name: getattr(obj, name) for name in fields}


def _changed(old: dict[str, Any], new: dict[str, Any]) -> tuple[dict[str, Any], dict[str, Any]]:
    keys = [key for key in new if old.get(key) != new[key]]
    return {key: old.get(key) for key in keys}, {key: new[key] for key in keys}


def _path_for(unit: Unit) -> str:
    prefix = unit.parent.path if unit.parent else "/"
    return f"{prefix}{unit.pk}/"


def _lock(model: type[models.Model], pk: int) -> None:
    """Serialise the callers that check a rule on the same row, until the transaction ends.

    The rules below are "read the neighbours, then write": without a lock two callers can both
    read "no conflict" and both write. PostgreSQL locks the row with ``SELECT … FOR UPDATE``;
    SQLite ignores ``FOR UPDATE``, but its transactions begin IMMEDIATE (``config.settings``),
    taking the database's write lock at once, so a second caller waits there.
    """
    list(model._default_manager.select_for_update().filter(pk=pk).values_list("pk", flat=True))


def _date(value: datetime.date) -> str:
    return formats.date_format(value, "SHORT_DATE_FORMAT")


def _same_name(name: str) -> str:
    """The form of a unit name that decides uniqueness: trimmed, case folded (also å, ä, ö,
    which SQLite's LIKE does not fold)."""
    return " ".join(name.split()).casefold()


# --- who acts -----------------------------------------------------------------------------------
# Every service asks the organisation policies first. ``actor=None`` is the installation itself
# (the demo loader, management commands run by the operator), and a superuser is its operator in
# the Django admin (behind two-factor, outside the municipalities' policies); the app's views
# always pass the user, who must hold the policy's grant.


def _require(
    actor: User | None,
    policy: Policy[Any, OrganisationAction],
    action: OrganisationAction,
    obj: Any,
) -> None:
    if actor is not None and not actor.is_superuser:
        policy.require(actor, action, obj)


def _require_in(
    actor: User | None,
    policy: Policy[Any, OrganisationAction],
    municipality: Municipality,
    action: OrganisationAction = MANAGE,
) -> None:
    if actor is None or actor.is_superuser:
        return
    if municipality.pk not in policy.municipality_ids(actor, action):
        raise NotPermitted


def unit_name_check(*, municipality: Municipality, name: str, unit: Unit | None) -> None:
    """Unit names are unique per municipality, whatever the case and spacing. The services
    call it under the municipality's lock; a form may call it too, to show the message before
    saving. The names are compared in Python: a municipality has hundreds of
    units, not millions, and Python folds every letter the same on every database."""
    others = Unit.objects.filter(municipality=municipality)
    if unit is not None:
        others = others.exclude(pk=unit.pk)
    wanted = _same_name(name)
    if any(_same_name(other) == wanted for other in others.values_list("name", flat=True)):
        raise ValidationError(
            {
                "name": ValidationError(
                    _("%(municipality)s already has a unit called “%(name)s”."),
                    code="duplicate",
                    params={"municipality": municipality.name, "name": name},
                )
            }
        )


def unit_create(
    *,
    actor: User | None,
    municipality: Municipality,
    name: str,
    kind: str,
    sector: str = "",
    parent: Unit | None = None,
    school_forms: list[str] | None = None,
    pupil_count: int | None = None,
    staff_count: int | None = None,
) -> Unit:
    """Create a unit in ``municipality``; the parent must be of the same municipality.

    The name is trimmed and must be unique in the municipality whatever its case (checked under
    the municipality's lock: a ``ValidationError`` on ``name`` otherwise). The unit gets its
    materialised path in the same transaction; it is never empty, not even for a moment.
    """
    _require_in(actor, unit_policy, municipality)
    if parent is not None and parent.municipality_id != municipality.pk:
        raise ValueError("A unit's parent must belong to the same municipality.")
    name = name.strip()
    with transaction.atomic():
        _lock(Municipality, municipality.pk)
        unit_name_check(municipality=municipality, name=name, unit=None)
        unit = Unit.objects.create(
            municipality=municipality,
            parent=parent,
            name=name,
            kind=kind,
            sector=sector or DEFAULT_SECTOR_BY_KIND[kind],
            school_forms=school_forms or [],
            pupil_count=pupil_count,
            staff_count=staff_count,
            # The id is not known before the insert; the parent's path (or "/" for a root) is
            # a non-empty stand-in that is replaced before the transaction ends.
            path=parent.path if parent is not None else "/",
        )
        unit.path = _path_for(unit)
        unit.save(update_fields=["path"])
        audit_event_record(
            actor=actor,
            municipality=municipality,
            event_type=AuditEventType.UNIT_CREATED,
            obj=unit,
            new=_snapshot(unit, _UNIT_FIELDS),
        )
    return unit


def unit_update(*, actor: User | None, unit: Unit, **changes: Any) -> Unit:
    """Change a unit's fields; moving it in the tree rewrites the paths of its subtree.

    A new name is trimmed and checked for uniqueness in the municipality under its lock, as in
    :func:`unit_create`.
    """
    _require(actor, unit_policy, MANAGE, unit)
    parent = changes.get("parent", unit.parent)
    if parent is not None:
        if parent.municipality_id != unit.municipality_id:
            raise ValueError("A unit's parent must belong to the same municipality.")
        if parent.path.startswith(unit.path):
            raise ValueError("A unit can not be placed under itself.")
    if "name" in changes:
        changes["name"] = changes["name"].strip()
    with transaction.atomic():
        _lock(Municipality, unit.municipality_id)
        if "name" in changes:
            unit_name_check(municipality=unit.municipality, name=changes["name"], unit=unit)
        old = _snapshot(unit, _UNIT_FIELDS)
        old_path = unit.path
        for name, value in changes.items():
            setattr(unit, name, value)
        unit.path = _path_for(unit)
        unit.save()
        if unit.path != old_path:
            for descendant in Unit.objects.filter(path__startswith=old_path).exclude(pk=unit.pk):
                descendant.path = unit.path + descendant.path[len(old_path) :]
                descendant.save(update_fields=["path"])
        before, after = _changed(old, _snapshot(unit, _UNIT_FIELDS))
        if after:
            audit_event_record(
                actor=actor,
                municipality=unit.municipality,
                event_type=AuditEventType.UNIT_UPDATED,
                obj=unit,
                old=before,
                new=after,
            )
    return unit


def user_create(
    *,
    actor: User | None,
    municipality: Municipality,
    username: str,
    password: str | None,
    first_name: str = "",
    last_name: str = "",
    email: str = "",
    title: str = "",
    phone: str = "",
    check_password_strength: bool = True,
) -> User:
    """Create an account administered by ``municipality``. Without a password the account can
    only log in through the identity provider (or after a password reset). Only the demo data
    turns the strength check off, for its one documented password."""
    _require_in(actor, user_policy, municipality, ADMINISTER)
    with transaction.atomic():
        user = User(
            municipality=municipality,
            username=username,
            first_name=first_name,
            last_name=last_name,
            email=email,
            title=title,
            phone=phone,
        )
        if password:
            if check_password_strength:
                validate_password(password, user)
            user.set_password(password)
        else:
            user.set_unusable_password()
        user.save()
        audit_event_record(
            actor=actor,
            municipality=municipality,
            event_type=AuditEventType.USER_CREATED,
            obj=user,
            new={"username": username, **_snapshot(user, _USER_FIELDS)},
        )
    return user


def user_update(
    *, actor: User | None, municipality: Municipality, user: User, **changes: Any
) -> User:
    """Change an account's name, contact details or active flag.

    A new e-mail address is where password resets go, so changing it could hand the account to
    whoever holds the new address. The old address is therefore told (after the commit, a link
    only), and the change is recorded as an event of its own that the log review lists among
    the events to check.
    """
    _require(actor, user_policy, ADMINISTER, user)
    with transaction.atomic():
        old = _snapshot(user, _USER_FIELDS)
        for name, value in changes.items():
            setattr(user, name, value)
        user.save()
        before, after = _changed(old, _snapshot(user, _USER_FIELDS))
        if after:
            audit_event_record(
                actor=actor,
                municipality=municipality,
                event_type=AuditEventType.USER_UPDATED,
                obj=user,
                old=before,
                new=after,
            )
        if (
            "email" in after
            and (before["email"] or "").strip().casefold()
            != (after["email"] or "").strip().casefold()
        ):
            audit_event_record(
                actor=actor,
                municipality=municipality,
                event_type=AuditEventType.USER_EMAIL_CHANGED,
                obj=user,
                old={"email": before["email"]},
                new={"user": user.username, "email": after["email"]},
            )
            if before["email"]:
                old_address = before["email"]
                transaction.on_commit(lambda: _email_change_tell_old_address(old_address))
    return user


def _email_change_tell_old_address(address: str) -> None:
    """A plain Swedish message to the old address: what happened and where to turn, with a
    link to the log-in page. No names and not the new address: the mail may be read by
    someone else."""
    with translation.override("sv"):
        subject = _("The email address of your Samverkan account was changed")
        body = _(
            "An administrator has changed the email address of your account in Samverkan. "
            "Messages and password resets now go to the new address.\n\n"
            "If you did not expect this, contact your municipality's administrator at once.\n\n"
            "%(link)s\n"
        ) % {"link": settings.SITE_URL.rstrip("/") + reverse("account_login")}
    try:
        send_mail(subject, body, None, [address])
    except OSError:  # smtplib's errors included: the audit event is the record
        logger.warning("Could not tell the old address about an email change.", exc_info=True)


def user_create_with_membership(
    *,
    actor: User | None,
    unit: Unit,
    role: str,
    username: str,
    password: str | None,
    valid_from: datetime.date | None = None,
    valid_to: datetime.date | None = None,
    includes_subtree: bool = False,
    first_name: str = "",
    last_name: str = "",
    email: str = "",
    title: str = "",
    phone: str = "",
) -> tuple[User, Membership]:
    """Create an account administered by ``unit``'s municipality together with its first
    membership, both or neither. A second call with the same username fails on the unique
    username, so a double submit can not create two accounts."""
    _require_in(actor, unit_policy, unit.municipality)
    with transaction.atomic():
        user = user_create(
            actor=actor,
            municipality=unit.municipality,
            username=username,
            password=password,
            first_name=first_name,
            last_name=last_name,
            email=email,
            title=title,
            phone=phone,
        )
        membership = membership_create(
            actor=actor,
            user=user,
            unit=unit,
            role=role,
            valid_from=valid_from,
            valid_to=valid_to,
            includes_subtree=includes_subtree,
        )
    return user, membership


def user_deactivate(*, actor: User, municipality: Municipality, user: User) -> User:
    """End the user's memberships in ``municipality`` at once; an account that has none left
    anywhere is deactivated and all its sessions end."""
    _require(actor, user_policy, MANAGE, user)
    today = timezone.localdate()
    # A refused membership never gave access: it neither needs ending nor keeps the account.
    still_open = (Q(valid_to__isnull=True) | Q(valid_to__gte=today)) & ~Q(
        state=MembershipState.REFUSED
    )
    with transaction.atomic():
        for membership in Membership.objects.filter(
            still_open, user=user, unit__municipality=municipality
        ).select_related("unit__municipality"):
            membership_end(actor=actor, membership=membership)
        remaining = Membership.objects.filter(still_open, user=user).exists()
        if not remaining and user.is_active:
            user.is_active = False
            user.save(update_fields=["is_active"])
            user_sessions_end(actor=actor, user=user)
            audit_event_record(
                actor=actor,
                municipality=municipality,
                event_type=AuditEventType.USER_DEACTIVATED,
                obj=user,
                old={"is_active": True},
                new={"is_active": False},
            )
    return user


def _open_from(day: datetime.date) -> Q:
    return Q(valid_to__isnull=True) | Q(valid_to__gte=day)


def membership_role_check(*, unit: Unit, role: str) -> None:
    """The school nurse and doctor work in their own confidentiality domain (OSL 25 kap. 1 §):
    their role is given only at a unit of medical student health, so that what they file and
    read never lands in the school's domain by a slip in the unit chosen."""
    if role == Role.MEDICAL_STUDENT_HEALTH and unit.sector != Sector.MEDICAL_STUDENT_HEALTH:
        raise ValidationError(
            {
                "unit": ValidationError(
                    _(
                        "The role “Medical student health” can only be given at a unit of "
                        "medical student health (its own confidentiality, OSL 25 kap. 1 §). "
                        "Choose the school's medical student health unit."
                    ),
                    code="medical_role_at_other_unit",
                )
            }
        )


def membership_period_check(
    *,
    user: User,
    unit: Unit,
    role: str,
    valid_from: datetime.date,
    valid_to: datetime.date | None,
) -> None:
    """A user never holds two overlapping memberships of one role at one unit (pending ones
    count, refused ones do not), and the medical student health role is held only at a unit of
    that sector. :func:`membership_create` calls it under the user's lock; a form may call it
    too, to show the message before saving."""
    membership_role_check(unit=unit, role=role)
    overlapping = Membership.objects.filter(
        _open_from(valid_from), user=user, unit=unit, role=role
    ).exclude(state=MembershipState.REFUSED)
    if valid_to is not None:
        overlapping = overlapping.filter(valid_from__lte=valid_to)
    if overlapping.exists():
        raise ValidationError(
            {
                "valid_from": ValidationError(
                    _(
                        "%(user)s already has the role “%(role)s” at %(unit)s for part of "
                        "this period. End that role first or choose other dates."
                    ),
                    code="overlap",
                    params={
                        "user": user.display_name,
                        "role": Role(role).label,
                        "unit": unit.name,
                    },
                )
            }
        )


def membership_create(
    *,
    actor: User | None,
    user: User,
    unit: Unit,
    role: str,
    valid_from: datetime.date | None = None,
    valid_to: datetime.date | None = None,
    includes_subtree: bool = False,
) -> Membership:
    """Give ``user`` a role at ``unit``. A membership that overlaps another of the same role
    at the same unit (an identical one, from a double submit, included) is refused with a
    ``ValidationError`` on ``valid_from``, checked under the user's lock; pending ones count,
    refused ones do not.

    A person who gives themselves a role that sees children (``ROLES_THAT_SEE_CHILDREN``) gets
    a *pending* membership: it gives no access until a second municipal admin of the
    municipality approves it (:func:`membership_approve`).
    """
    _require_in(actor, membership_policy, unit.municipality)
    valid_from = valid_from or timezone.localdate()
    self_assigned = actor is not None and actor.pk == user.pk and role in ROLES_THAT_SEE_CHILDREN
    with transaction.atomic():
        _lock(User, user.pk)
        membership_period_check(
            user=user, unit=unit, role=role, valid_from=valid_from, valid_to=valid_to
        )
        membership = Membership.objects.create(
            user=user,
            unit=unit,
            role=role,
            valid_from=valid_from,
            valid_to=valid_to,
            includes_subtree=includes_subtree,
            state=MembershipState.PENDING if self_assigned else MembershipState.ACTIVE,
        )
        audit_event_record(
            actor=actor,
            municipality=unit.municipality,
            event_type=(
                AuditEventType.MEMBERSHIP_REQUESTED
                if self_assigned
                else AuditEventType.MEMBERSHIP_CREATED
            ),
            obj=membership,
            new={
                "user": user.username,
                "unit": unit.name,
                "role": role,
                "valid_from": valid_from.isoformat(),
                "valid_to": valid_to.isoformat() if valid_to else None,
                "includes_subtree": includes_subtree,
                "state": membership.state,
            },
        )
    return membership


def _membership_decide(*, actor: User, membership: Membership, approve: bool) -> Membership:
    with transaction.atomic():
        _lock(Membership, membership.pk)
        membership.refresh_from_db(fields=["state", "decided_by", "decided_at"])
        if membership.state != MembershipState.PENDING:
            raise ValidationError(_("This role has already been approved or refused."))
        # The policy allows only another admin of the same municipality, never the person
        # the role is for: a second pair of eyes, not a rubber stamp of one's own.
        membership_policy.require(actor, APPROVE, membership)
        membership.state = MembershipState.ACTIVE if approve else MembershipState.REFUSED
        membership.decided_by = actor
        membership.decided_at = timezone.now()
        membership.save(update_fields=["state", "decided_by", "decided_at"])
        audit_event_record(
            actor=actor,
            municipality=membership.unit.municipality,
            event_type=(
                AuditEventType.MEMBERSHIP_APPROVED if approve else AuditEventType.MEMBERSHIP_REFUSED
            ),
            obj=membership,
            old={"state": MembershipState.PENDING},
            new={
                "state": membership.state,
                "user": membership.user.username,
                "unit": membership.unit.name,
                "role": membership.role,
            },
        )
    return membership


def membership_approve(*, actor: User, membership: Membership) -> Membership:
    """A second municipal admin approves a pending membership, which then gives access.
    Raises ``NotPermitted`` (a ``PermissionDenied``) for anyone else, the person it is for
    included, and ``ValidationError`` when it has already been decided."""
    return _membership_decide(actor=actor, membership=membership, approve=True)


def membership_refuse(*, actor: User, membership: Membership) -> Membership:
    """A second municipal admin refuses a pending membership; it never gives access. The
    same checks as :func:`membership_approve`."""
    return _membership_decide(actor=actor, membership=membership, approve=False)


def membership_end(
    *, actor: User | None, membership: Membership, on: datetime.date | None = None
) -> Membership | None:
    """End a membership; ``on`` is its last valid day (default yesterday, so access stops at
    once). A membership that would end before it began is removed; the audit event and the
    history table keep the record of it. A membership already over by ``on`` is left as it is."""
    _require(actor, membership_policy, MANAGE, membership)
    end = on or timezone.localdate() - datetime.timedelta(days=1)
    old_end = membership.valid_to
    if old_end is not None and old_end <= end:
        # Already over by then: ending it again must not lengthen it.
        return membership
    with transaction.atomic():
        audit_event_record(
            actor=actor,
            municipality=membership.unit.municipality,
            event_type=AuditEventType.MEMBERSHIP_ENDED,
            obj=membership,
            old={"valid_to": old_end.isoformat() if old_end else None},
            new={"valid_to": end.isoformat()},
        )
        if end < membership.valid_from:
            membership.delete()
            return None
        membership.valid_to = end
        membership.save(update_fields=["valid_to"])
    return membership


def user_sessions_end(*, actor: User | None, user: User) -> int:
    """Log the user out everywhere: every tracked session is ended."""
    _require(actor, user_policy, MANAGE, user)
    from allauth.usersessions.models import UserSession

    count = 0
    with transaction.atomic():
        for session in UserSession.objects.filter(user=user):
            session.end()
            count += 1
        audit_event_record(
            actor=actor,
            municipality=user.municipality,
            event_type=AuditEventType.SESSIONS_ENDED,
            obj=user,
            new={"sessions": count},
        )
    return count


def term_dates_check(
    *,
    municipality: Municipality,
    starts_on: datetime.date,
    ends_on: datetime.date,
    term: SchoolTerm | None,
) -> None:
    """Terms of a municipality never overlap. The services call it under the municipality's
    lock; a form may call it too, to show the message before saving."""
    overlapping = SchoolTerm.objects.filter(
        municipality=municipality, starts_on__lte=ends_on, ends_on__gte=starts_on
    )
    if term is not None:
        overlapping = overlapping.exclude(pk=term.pk)
    other = overlapping.order_by("starts_on").first()
    if other is not None:
        raise ValidationError(
            {
                "starts_on": ValidationError(
                    _(
                        "The dates overlap with %(term)s (%(start)s – %(end)s). Terms of a "
                        "municipality can not overlap."
                    ),
                    code="overlap",
                    params={
                        "term": str(other),
                        "start": _date(other.starts_on),
                        "end": _date(other.ends_on),
                    },
                )
            }
        )


def term_create(
    *,
    actor: User | None,
    municipality: Municipality,
    kind: str,
    starts_on: datetime.date,
    ends_on: datetime.date,
) -> SchoolTerm:
    """Add a school term. It must not overlap another term of the municipality (checked under
    the municipality's lock; a ``ValidationError`` on ``starts_on`` otherwise)."""
    _require_in(actor, term_policy, municipality)
    with transaction.atomic():
        _lock(Municipality, municipality.pk)
        term_dates_check(municipality=municipality, starts_on=starts_on, ends_on=ends_on, term=None)
        term = SchoolTerm.objects.create(
            municipality=municipality, kind=kind, starts_on=starts_on, ends_on=ends_on
        )
        audit_event_record(
            actor=actor,
            municipality=municipality,
            event_type=AuditEventType.TERM_CREATED,
            obj=term,
            new=_snapshot(term, _TERM_FIELDS),
        )
    return term


def term_update(*, actor: User | None, term: SchoolTerm, **changes: Any) -> SchoolTerm:
    """Change a term's kind or dates; the new dates must not overlap another term of the
    municipality (checked under its lock, as in :func:`term_create`)."""
    _require(actor, term_policy, MANAGE, term)
    with transaction.atomic():
        _lock(Municipality, term.municipality_id)
        term_dates_check(
            municipality=term.municipality,
            starts_on=changes.get("starts_on", term.starts_on),
            ends_on=changes.get("ends_on", term.ends_on),
            term=term,
        )
        old = _snapshot(term, _TERM_FIELDS)
        for name, value in changes.items():
            setattr(term, name, value)
        term.save()
        before, after = _changed(old, _snapshot(term, _TERM_FIELDS))
        if after:
            audit_event_record(
                actor=actor,
                municipality=term.municipality,
                event_type=AuditEventType.TERM_UPDATED,
                obj=term,
                old=before,
                new=after,
            )
    return term


def term_delete(*, actor: User | None, term: SchoolTerm) -> None:
    _require(actor, term_policy, MANAGE, term)
    with transaction.atomic():
        audit_event_record(
            actor=actor,
            municipality=term.municipality,
            event_type=AuditEventType.TERM_DELETED,
            obj=term,
            old=_snapshot(term, _TERM_FIELDS),
        )
        term.delete()
