"""The public answer pages: no login, the single-use link is the only key.

- The token is in the path, so nothing may log the path: every answer here is a 200 page (an
  unknown, used or closed link is a friendly page, not a 404, which Django would log with the
  path), methods are not refused by a decorator (that logs the path too) and CSRF is not
  checked (a refusal is logged with the path; and CSRF guards ambient credentials such as a
  session cookie, which this page does not use: a forged POST would need the token itself).
- ``Referrer-Policy: no-referrer`` keeps the link out of other sites' logs, ``no-store`` out
  of the browser cache on a shared computer.
"""

from typing import Any

from django.contrib.auth.decorators import login_not_required
from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.utils.cache import patch_cache_control
from django.views.decorators.csrf import csrf_exempt

from surveys.forms_answer import AnswerForm
from surveys.services_answers import (
    BadAnswers,
    LinkError,
    draft_from,
    draft_save,
    open_link,
    questions_of,
    response_submit,
)

PAUSE = "pause"


def _private(response: HttpResponse) -> HttpResponse:
    patch_cache_control(response, no_store=True, private=True)
    response["Referrer-Policy"] = "no-referrer"
    response["X-Robots-Tag"] = "noindex"
    return response


def _link_page(request: HttpRequest, reason: str) -> HttpResponse:
    return _private(render(request, "surveys/answer/link_problem.html", {"reason": reason}))


@login_not_required
@csrf_exempt
def answer(request: HttpRequest, token: str) -> HttpResponse:
    """The survey of one invitation: answer, pause and go on later, or send."""
    try:
        link = open_link(token)
    except LinkError as error:
        return _link_page(request, error.reason)
    questions = questions_of(link.round.template_version)
    context: dict[str, Any] = {
        "round": link.round,
        "template": link.round.template_version.template,
    }
    if request.method != "POST":
        form = AnswerForm(questions, require=False, initial_values=draft_from(link.invitation))
        context["resumed"] = bool(link.invitation.draft)
        return _private(render(request, "surveys/answer/form.html", {**context, "form": form}))
    pausing = request.POST.get("action") == PAUSE
    form = AnswerForm(questions, require=not pausing, data=request.POST)
    if form.is_valid():
        try:
            if pausing:
                draft_save(token=token, values=form.values())
                return _private(render(request, "surveys/answer/paused.html", context))
            response_submit(token=token, values=form.values())
        except LinkError as error:
            return _link_page(request, error.reason)
        except BadAnswers:
            form.add_error(None, AnswerForm.tampered_message)
        else:
            return redirect("survey_answer:thanks")
    return _private(render(request, "surveys/answer/form.html", {**context, "form": form}))


@login_not_required
def thanks(request: HttpRequest) -> HttpResponse:
    return _private(render(request, "surveys/answer/thanks.html"))
