"""The page shown while the database is unavailable (operations.middleware), in a browser:
Swedish, accessible (axe), and readable at 320 px without sideways scrolling. The view here
fails the way every view fails when the database is down."""

import pytest
from django.contrib.auth.decorators import login_not_required
from django.db import OperationalError
from django.http import HttpRequest, HttpResponse
from django.test import override_settings
from django.urls import path
from playwright.sync_api import Page, expect

from config import urls as project_urls
from tests.browser.axe import check_axe

NARROW = 320


@login_not_required  # the login page itself would query the database first
def database_gone(_request: HttpRequest) -> HttpResponse:
    raise OperationalError("server closed the connection unexpectedly (test)")


urlpatterns = [*project_urls.urlpatterns, path("databasen-borta/", database_gone)]


@pytest.mark.django_db(transaction=True)
@override_settings(ROOT_URLCONF=__name__)
def test_the_unavailable_page_is_swedish_accessible_and_reflows(page: Page) -> None:
    response = page.goto("/databasen-borta/")
    assert response is not None
    assert response.status == 503
    assert response.headers["retry-after"] == "30"
    expect(page.locator("h1")).to_have_text("Tjänsten är tillfälligt otillgänglig")
    expect(page.locator("main")).to_contain_text("Vänta en minut och försök igen.")
    expect(page.locator("html")).to_have_attribute("lang", "sv")
    check_axe(page)

    page.set_viewport_size({"width": NARROW, "height": 640})
    page.reload()
    assert page.evaluate("document.documentElement.scrollWidth") <= NARROW
    check_axe(page)
