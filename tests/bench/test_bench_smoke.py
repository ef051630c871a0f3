"""The bench's scripts import, and its baseline form works. Speed is measured by `make bench`,
never here."""

import asyncio

import pytest
from django.db import connection
from django.test import Client

from bench import data, load, partners, pdf, run, views
from letters_app.models import Partner
from letters_app.services.partners import partner_counts

pytestmark = pytest.mark.django_db


@pytest.fixture
def baseline(settings):
    settings.ROOT_URLCONF = "bench.urls"
    views.baseline_table_create()
    return Client(enforce_csrf_checks=True)


def rows() -> list[tuple]:
    with connection.cursor() as cursor:
        cursor.execute(f"SELECT name, email, country FROM {views.TABLE}")  # noqa: S608
        return cursor.fetchall()


def token_of(client: Client) -> str:
    response = client.get("/bench/baseline/")
    assert response.status_code == 200
    match = load.TOKEN_RE.search(response.content)
    assert match is not None, "the load generator would find no CSRF token in the form"
    return match.group(1).decode()


def test_a_valid_post_inserts_one_row_and_redirects(baseline):
    token = token_of(baseline)
    fields = run.signing_fields("baseline", "t")(1, 1)

    response = baseline.post("/bench/baseline/", {**fields, "csrfmiddlewaretoken": token})

    assert response.status_code == 302
    assert response["Location"] == "/bench/baseline/done/"
    assert rows() == [("Bench Organization t-1-1", "bench-t-1-1@example.org", "FR")]
    assert data.baseline_emails() == {"bench-t-1-1@example.org"}


def test_invalid_input_renders_the_form_again_and_inserts_nothing(baseline):
    token = token_of(baseline)

    response = baseline.post(
        "/bench/baseline/",
        {"name": "", "email": "not an address", "country": "FR", "csrfmiddlewaretoken": token},
    )

    assert response.status_code == 200
    assert b'name="csrfmiddlewaretoken"' in response.content
    assert b"Enter a valid email address." in response.content
    assert rows() == []


def test_a_post_without_the_csrf_token_is_refused(baseline):
    response = baseline.post("/bench/baseline/", run.signing_fields("baseline", "t")(1, 1))

    assert response.status_code == 403
    assert rows() == []


def test_every_request_of_a_run_signs_with_its_own_address():
    cosign = run.signing_fields("Cosign", "r1")
    emails = {cosign(user, n)["email"] for user in range(1, 4) for n in range(1, 4)}
    emails |= {run.signing_fields("Cosign", "r2")(1, 1)["email"]}

    assert len(emails) == 10
    assert cosign(1, 1)["consent_public"] == "on"


def test_the_client_reads_a_chunked_answer_and_keeps_its_cookies():
    async def serve(reader, writer):
        await reader.readuntil(b"\r\n\r\n")
        writer.write(
            b"HTTP/1.1 200 OK\r\nTransfer-Encoding: chunked\r\n"
            b"Set-Cookie: csrftoken=abc; Path=/; SameSite=Lax\r\nConnection: close\r\n\r\n"
            b"5\r\nhello\r\n6\r\n world\r\n0\r\n\r\n"
        )
        await writer.drain()
        writer.close()

    async def scenario():
        server = await asyncio.start_server(serve, "127.0.0.1", 0)
        port = server.sockets[0].getsockname()[1]
        async with server:
            client = load.HttpClient("127.0.0.1", port)
            response = await client.request("GET", "/")
            await client.close()
        return response, client.cookies

    response, cookies = asyncio.run(scenario())

    assert (response.status, response.body) == (200, b"hello world")
    assert cookies == {"csrftoken": "abc"}


def test_percentiles_are_nearest_rank_over_the_measured_window():
    result = load.RoundResult("baseline", "closed", users=1, warmup=1, duration=10)
    result.window = (1.0, 11.0)
    result.samples = [
        load.Sample(started=0.0, finished=0.5, latency=9.0, outcome="accepted", email="warm"),
        load.Sample(started=10.5, finished=11.5, latency=1.0, outcome="accepted", email="late"),
        *(
            load.Sample(started=t, finished=t + 0.01, latency=t / 1000, outcome="accepted",
                        email=f"e{t}")
            for t in range(1, 11)
        ),
    ]  # fmt: skip

    assert result.percentile(50) == pytest.approx(5.0)
    assert result.percentile(95) == pytest.approx(10.0)
    assert result.accepted_per_second == pytest.approx(1.0)  # 10 finished inside the window
    assert len(result.accepted_emails) == 12  # all of them count for the database check


def test_the_bench_letter_renders():
    # bench/pdf.py times this very call at 5,000 signatories; here only that it still works.
    timing = pdf.measure(3)

    assert (timing.signatories, timing.pages) == (3, 2)


def test_the_partners_bench_seeds_every_status_with_its_steps(open_letter):
    addresses = partners.partners_seed(open_letter, 40, tag="t", spread=True)

    assert len(set(addresses)) == 40
    counts = partner_counts(open_letter)
    assert sum(counts.values()) == 40 and all(counts.values()), counts
    signed = Partner.objects.filter(letter=open_letter, status=Partner.Status.SIGNED)
    assert all(p.invited_at and p.opened_at and p.signed_at for p in signed)
    assert {p.language for p in Partner.objects.filter(letter=open_letter)} == {"en", "fr", "km"}
