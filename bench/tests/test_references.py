"""The benchmark's reference pages and SQL headers exist only with BENCH_REFERENCES on."""

import json

import pytest
from django.core.management import call_command
from django.test import Client, override_settings

REFERENCES = ["/bench/hello/", "/bench/q/", "/bench/tpl/"]


@pytest.mark.django_db
@pytest.mark.parametrize("path", REFERENCES)
def test_references_are_absent_without_the_setting(path: str) -> None:
    answer = Client().get(path)
    assert answer.status_code == 404
    assert "X-Bench-Queries" not in answer


@pytest.mark.django_db
@override_settings(BENCH_REFERENCES=True)
def test_references_answer_anonymously_with_sql_figures() -> None:
    client = Client()
    hello = client.get("/bench/hello/")
    assert hello.status_code == 200
    assert hello.content == b"ok"
    query = client.get("/bench/q/")
    assert query.status_code == 200
    assert int(query["X-Bench-Queries"]) == int(hello["X-Bench-Queries"]) + 1
    assert float(query["X-Bench-SQL-ms"]) >= 0
    table = client.get("/bench/tpl/")
    assert table.status_code == 200
    assert table.content.count(b"<tr>") == 26  # the head and 25 rows
    assert float(table["X-Bench-Render-ms"]) > 0


@pytest.mark.django_db
@override_settings(BENCH_REFERENCES=True)
def test_a_write_is_refused() -> None:
    assert Client().post("/bench/hello/").status_code == 405


@pytest.mark.django_db
@override_settings(BENCH_REFERENCES=True)
def test_the_sql_headers_count_a_logged_in_page(world, client) -> None:
    client.force_login(world.user("intake"))
    answer = client.get("/")
    assert int(answer["X-Bench-Queries"]) > 0


def test_r_pdf_is_twenty_pages(capsys: pytest.CaptureFixture[str]) -> None:
    from bench.management.commands.bench_background import page_count, reference_context
    from core.pdf import render_pdf

    pdf = render_pdf("bench/pdf_reference.html", reference_context())
    assert page_count(pdf) == 20
    capsys.readouterr()


@pytest.mark.django_db
def test_background_timings_print_json(capsys: pytest.CaptureFixture[str]) -> None:
    call_command("bench_background", "--rollups")
    result = json.loads(capsys.readouterr().out)
    assert result["rollup_refresh"]["seconds"] >= 0
    assert result["rollup_rebuild"]["seconds"] >= 0


@pytest.mark.django_db
@pytest.mark.parametrize("name", ["bench:hello", "bench:query", "bench:table"])
def test_the_references_matrix(world, client, settings, name: str) -> None:
    """Off (every installation): 404 for everyone. On (a benchmark run): 200 for anyone, the
    other municipality too, since they show only fixed text."""
    from allauth.mfa.totp.internal.auth import TOTP, generate_totp_secret
    from django.urls import reverse

    from tests.matrix import assert_matrix

    users = [world.user("intake"), world.user("reporter", "eksjo")]
    for user in users:  # production asks these roles for two-factor before any page
        TOTP.activate(user, generate_totp_secret())
    everyone = [None, *users]
    assert_matrix(client, reverse(name), [(user, 404) for user in everyone])
    settings.BENCH_REFERENCES = True
    assert_matrix(client, reverse(name), [(user, 200) for user in everyone])
