"""The municipal admin's page for the numbers school staff call about a child: the intake
(with its opening hours) and the social services' emergency line. Everyone else, and the
admin of another municipality asking for this one, gets a 404."""

from django.contrib import messages
from django.core.exceptions import ValidationError
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils.translation import gettext as _
from django.views.decorators.http import require_http_methods

from core.forms import add_service_errors
from organisations.forms_contacts import MunicipalityContactsForm
from organisations.models import Municipality, MunicipalityContacts, User
from organisations.policies import CONFIGURE, municipality_policy
from organisations.selectors import municipality_asked_for
from organisations.selectors_contacts import CallBox
from organisations.services_contacts import ContactsChangedError, municipality_contacts_update


def _user(request: HttpRequest) -> User:
    return request.user  # type: ignore[return-value]


def _chosen(request: HttpRequest) -> tuple[Municipality, list[Municipality]]:
    """The municipality asked for (``?municipality=<id>``; the first one otherwise) among those
    the user configures; a 404 when there is none or it is not among them."""
    municipalities = municipality_policy.municipalities(_user(request), CONFIGURE)
    chosen = municipality_asked_for(municipalities, request.GET.get("municipality"))
    if chosen is None:
        raise Http404
    return chosen, municipalities


def _page_url(municipality: Municipality, municipalities: list[Municipality]) -> str:
    url = reverse("organisations:contacts")
    return f"{url}?municipality={municipality.pk}" if len(municipalities) > 1 else url


@require_http_methods(["GET", "POST"])
def contacts_edit(request: HttpRequest) -> HttpResponse:
    municipality, municipalities = _chosen(request)
    contacts = MunicipalityContacts.objects.filter(municipality=municipality).first()
    form = MunicipalityContactsForm(request.POST or None, contacts=contacts)
    if request.method == "POST" and form.is_valid():
        try:
            municipality_contacts_update(
                actor=_user(request),
                municipality=municipality,
                values=form.values(),
                expected_version=form.cleaned_data["version"],
            )
        except ValidationError as error:
            add_service_errors(form, error)
        except ContactsChangedError:
            contacts = MunicipalityContacts.objects.get(municipality=municipality)
            form = _changed_meanwhile(request, contacts)
        else:
            messages.success(
                request,
                _("The numbers of %(municipality)s are saved and shown on the start pages.")
                % {"municipality": municipality.name},
            )
            return redirect(_page_url(municipality, municipalities))
    return render(
        request,
        "organisations/contacts_form.html",
        {
            "form": form,
            "municipality": municipality,
            "municipalities": municipalities if len(municipalities) > 1 else [],
            "action": _page_url(municipality, municipalities),
            "preview": CallBox(municipality, contacts),
        },
    )


def _changed_meanwhile(
    request: HttpRequest, contacts: MunicipalityContacts
) -> MunicipalityContactsForm:
    """The form again with what was typed, now based on the numbers saved meanwhile (shown in
    the preview): saving once more replaces them on purpose."""
    data = request.POST.copy()
    data["version"] = str(contacts.version)
    form = MunicipalityContactsForm(data, contacts=contacts)
    form.is_valid()
    form.add_error(
        None,
        _(
            "Someone else changed the numbers while you were editing, so nothing was saved. "
            "The numbers in force now are shown under “As staff see them”; what you typed is "
            "still in the form. Save again to replace them with yours."
        ),
    )
    return form
