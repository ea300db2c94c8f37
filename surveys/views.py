"""The template builder (coordinators): templates, versions, sections, questions, preview."""

from collections.abc import Callable
from dataclasses import dataclass
from typing import Any

from django.contrib import messages
from django.core.exceptions import ValidationError
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.urls import reverse
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy
from django.views.decorators.http import require_http_methods, require_POST

from access.loaders import permit_or_404
from access.policies import Permit
from core.forms import add_service_errors
from organisations.models import User
from surveys import services
from surveys.builtin import BUILTINS
from surveys.forms import QuestionForm, SectionForm, TemplateForm
from surveys.forms_answer import AnswerForm
from surveys.models import Question, Section, Template, TemplateVersion
from surveys.policies import MANAGE, template_policy
from surveys.services_answers import questions_of

CONFLICT_MESSAGE = gettext_lazy(
    "Someone else changed the survey while you were working on it. It is shown as it is now: "
    "do it again if it is still needed."
)


def _user(request: HttpRequest) -> User:
    return request.user  # type: ignore[return-value]


def _template(request: HttpRequest, pk: int) -> Permit[Template]:
    return permit_or_404(request, template_policy, MANAGE, pk=pk)


def _version(template: Template, pk: int) -> TemplateVersion:
    return get_object_or_404(TemplateVersion.objects.filter(template=template), pk=pk)


def _section(template: Template, pk: int) -> Section:
    return get_object_or_404(
        Section.objects.select_related("version").filter(version__template=template), pk=pk
    )


def _question(template: Template, pk: int) -> Question:
    return get_object_or_404(
        Question.objects.select_related("section", "section__version").filter(
            section__version__template=template
        ),
        pk=pk,
    )


def _municipality_or_404(request: HttpRequest) -> Any:
    municipalities = template_policy.municipalities(_user(request), MANAGE)
    if not municipalities:
        raise Http404
    return municipalities[0]


def _version_url(version: TemplateVersion) -> str:
    return reverse("surveys:version", args=[version.template_id, version.pk])


def _conflict(request: HttpRequest) -> None:
    messages.error(request, CONFLICT_MESSAGE)


def _frozen(request: HttpRequest) -> None:
    messages.error(
        request,
        _(
            "This version has been sent in a round and can not be changed. Make a new version "
            "to change the survey."
        ),
    )


@require_http_methods(["GET"])
def template_list(request: HttpRequest) -> HttpResponse:
    municipality = _municipality_or_404(request)
    templates = list(
        template_policy.visible(_user(request), MANAGE)
        .filter(municipality=municipality)
        .prefetch_related("versions")
    )
    copied = {template.builtin_key for template in templates}
    available = [builtin for key, builtin in BUILTINS.items() if key not in copied]
    return render(
        request,
        "surveys/template_list.html",
        {"templates": templates, "available": available, "municipality": municipality},
    )


@require_POST
def builtin_fetch(request: HttpRequest, key: str) -> HttpResponse:
    municipality = _municipality_or_404(request)
    if key not in BUILTINS:
        raise Http404
    template = services.builtin_copy(municipality=municipality, key=key, actor=_user(request))
    messages.success(
        request, _("“%(title)s” is now among your templates.") % {"title": template.title}
    )
    return redirect("surveys:template", template.pk)


@require_http_methods(["GET", "POST"])
def template_create(request: HttpRequest) -> HttpResponse:
    municipality = _municipality_or_404(request)
    form = TemplateForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        template = services.template_create(
            actor=_user(request),
            municipality=municipality,
            kind=form.cleaned_data["kind"],
            title=form.cleaned_data["title"],
            description=form.cleaned_data["description"],
        )
        return redirect("surveys:template", template.pk)
    return render(request, "surveys/template_form.html", {"form": form})


@require_http_methods(["GET"])
def template_detail(request: HttpRequest, pk: int) -> HttpResponse:
    template = _template(request, pk).obj
    return redirect(_version_url(services.latest_version(template)))


@require_http_methods(["GET"])
def version_detail(request: HttpRequest, pk: int, version_pk: int) -> HttpResponse:
    template = _template(request, pk).obj
    version = _version(template, version_pk)
    sections = list(version.sections.prefetch_related("questions"))
    newest = services.latest_version(template)
    return render(
        request,
        "surveys/version_detail.html",
        {
            "template": template,
            "version": version,
            "sections": sections,
            "versions": list(template.versions.all()),
            "is_newest": newest.pk == version.pk,
            "editable": version.frozen_at is None,
        },
    )


@require_POST
def version_new(request: HttpRequest, pk: int) -> HttpResponse:
    permit = _template(request, pk)
    draft = services.version_new_draft(permit=permit, actor=_user(request))
    messages.success(
        request,
        _("Version %(number)d is a draft: change it here. Earlier rounds keep their version.")
        % {"number": draft.number},
    )
    return redirect(_version_url(draft))


@require_http_methods(["GET"])
def version_preview(request: HttpRequest, pk: int, version_pk: int) -> HttpResponse:
    template = _template(request, pk).obj
    version = _version(template, version_pk)
    form = AnswerForm(questions_of(version), require=False)
    return render(
        request,
        "surveys/version_preview.html",
        {"template": template, "version": version, "form": form},
    )


def _lock(request: HttpRequest) -> int:
    try:
        return int(request.POST.get("lock", "0"))
    except ValueError:
        return 0


@dataclass
class _BuilderSave:
    """What a builder form page shows after a POST: the form (with the current lock when the
    save met a concurrent change), whether it did, and the item as it is saved now."""

    form: Any
    conflict: bool = False
    current: Any = None
    done: bool = False


def _builder_save(
    request: HttpRequest,
    form: Any,
    *,
    save: Callable[[Any], object],
    reload: Callable[[], Any],
) -> _BuilderSave:
    """Run ``save(form)`` for a valid POST; a concurrent change keeps what was typed and shows
    the saved item beside it, a service's validation errors land on the form."""
    if request.method != "POST" or not form.is_valid():
        return _BuilderSave(form)
    try:
        save(form)
    except services.ConcurrentEditError as error:
        data = request.POST.copy()
        data["lock"] = str(error.version.lock_version)
        typed = type(form)(data)
        typed.is_valid()
        return _BuilderSave(typed, conflict=True, current=reload())
    except ValidationError as error:
        add_service_errors(form, error)
        return _BuilderSave(form)
    return _BuilderSave(form, done=True)


@require_http_methods(["GET", "POST"])
def section_edit(
    request: HttpRequest, pk: int, version_pk: int | None = None, section_pk: int | None = None
) -> HttpResponse:
    permit = _template(request, pk)
    template = permit.obj
    section = _section(template, section_pk) if section_pk else None
    version = section.version if section else _version(template, version_pk or 0)
    if version.frozen_at is not None:
        _frozen(request)
        return redirect(_version_url(version))
    initial: dict[str, Any] = {"lock": version.lock_version}
    if section:
        initial |= {"title": section.title, "help_text": section.help_text}
    try:
        result = _builder_save(
            request,
            SectionForm(request.POST or None, initial=initial),
            save=lambda form: services.section_save(
                permit=permit,
                actor=_user(request),
                version=version,
                expected_lock=form.cleaned_data["lock"],
                data=form.data_object(),
                section=section,
            ),
            reload=lambda: Section.objects.filter(pk=section.pk).first() if section else None,
        )
    except services.FrozenVersionError:
        _frozen(request)
        return redirect(_version_url(version))
    if result.done:
        return redirect(_version_url(version))
    return render(
        request,
        "surveys/section_form.html",
        {
            "template": template,
            "version": version,
            "section": section,
            "form": result.form,
            "conflict": result.conflict,
            "current": result.current,
        },
    )


@require_http_methods(["GET", "POST"])
def question_edit(
    request: HttpRequest, pk: int, section_pk: int | None = None, question_pk: int | None = None
) -> HttpResponse:
    permit = _template(request, pk)
    template = permit.obj
    question = _question(template, question_pk) if question_pk else None
    section = question.section if question else _section(template, section_pk or 0)
    version = section.version
    if version.frozen_at is not None:
        _frozen(request)
        return redirect(_version_url(version))
    try:
        result = _builder_save(
            request,
            QuestionForm(
                request.POST or None,
                initial=QuestionForm.initial_for(question, version.lock_version),
            ),
            save=lambda form: services.question_save(
                permit=permit,
                actor=_user(request),
                section=section,
                expected_lock=form.cleaned_data["lock"],
                data=form.data_object(),
                question=question,
            ),
            reload=lambda: Question.objects.filter(pk=question.pk).first() if question else None,
        )
    except services.FrozenVersionError:
        _frozen(request)
        return redirect(_version_url(version))
    if result.done:
        return redirect(_version_url(version))
    return render(
        request,
        "surveys/question_form.html",
        {
            "template": template,
            "version": version,
            "section": section,
            "question": question,
            "form": result.form,
            "conflict": result.conflict,
            "current": result.current,
        },
    )


@require_http_methods(["GET", "POST"])
def section_delete(request: HttpRequest, pk: int, section_pk: int) -> HttpResponse:
    permit = _template(request, pk)
    section = _section(permit.obj, section_pk)
    return _delete(
        request,
        permit,
        section.version,
        section,
        lambda lock: services.section_delete(
            permit=permit, actor=_user(request), section=section, expected_lock=lock
        ),
    )


@require_http_methods(["GET", "POST"])
def question_delete(request: HttpRequest, pk: int, question_pk: int) -> HttpResponse:
    permit = _template(request, pk)
    question = _question(permit.obj, question_pk)
    return _delete(
        request,
        permit,
        question.section.version,
        question,
        lambda lock: services.question_delete(
            permit=permit, actor=_user(request), question=question, expected_lock=lock
        ),
    )


def _delete(
    request: HttpRequest,
    permit: Permit[Template],
    version: TemplateVersion,
    obj: Section | Question,
    remove: Any,
) -> HttpResponse:
    if request.method == "POST":
        try:
            remove(_lock(request))
        except services.ConcurrentEditError:
            _conflict(request)
        except services.FrozenVersionError:
            _frozen(request)
        else:
            messages.success(request, _("Removed."))
        return redirect(_version_url(version))
    return render(
        request,
        "surveys/delete_confirm.html",
        {
            "template": permit.obj,
            "version": version,
            "obj": obj,
            "is_section": isinstance(obj, Section),
        },
    )


def _step(request: HttpRequest) -> int:
    return -1 if request.POST.get("direction") == "up" else 1


@require_POST
def section_move(request: HttpRequest, pk: int, section_pk: int) -> HttpResponse:
    permit = _template(request, pk)
    section = _section(permit.obj, section_pk)
    try:
        services.section_move(
            permit=permit,
            actor=_user(request),
            section=section,
            step=_step(request),
            expected_lock=_lock(request),
        )
    except services.ConcurrentEditError:
        _conflict(request)
    except services.FrozenVersionError:
        _frozen(request)
    return redirect(_version_url(section.version) + f"#section-{section.pk}")


@require_POST
def question_move(request: HttpRequest, pk: int, question_pk: int) -> HttpResponse:
    permit = _template(request, pk)
    question = _question(permit.obj, question_pk)
    try:
        services.question_move(
            permit=permit,
            actor=_user(request),
            question=question,
            step=_step(request),
            expected_lock=_lock(request),
        )
    except services.ConcurrentEditError:
        _conflict(request)
    except services.FrozenVersionError:
        _frozen(request)
    return redirect(_version_url(question.section.version) + f"#question-{question.pk}")
