"""Every public endpoint's real answers, with real data, against the OpenAPI schema the app
serves: a client generated from the schema reads them, and they hold nothing it does not
describe (every object is checked as closed)."""

import copy
import json

import pytest
from jsonschema import Draft202012Validator

from letters_app.models import Signature
from tests.finalized import FRENCH_NAME, KHMER_NAME

pytestmark = pytest.mark.django_db

BASE = "/api/v1"


def closed(node):
    """The schema with every object closed to properties it does not name."""
    if isinstance(node, dict):
        node = {key: closed(value) for key, value in node.items()}
        if node.get("type") == "object" and "properties" in node:
            node.setdefault("additionalProperties", False)
        return node
    if isinstance(node, list):
        return [closed(item) for item in node]
    return node


@pytest.fixture(autouse=True)
def _site_url(settings):
    settings.SITE_URL = "http://testserver"


@pytest.fixture
def openapi(client):
    response = client.get(f"{BASE}/openapi.json")
    assert response.status_code == 200
    return response.json()


def check(openapi, client, template: str, path: str, status: int):
    """GET `path`, answered with `status`, and validate its JSON against the schema of
    `template`'s GET for that status."""
    response = client.get(path)
    assert response.status_code == status, response.content
    operation = openapi["paths"][template]["get"]
    schema = operation["responses"][str(status)]["content"]["application/json"]["schema"]
    document = {**closed(schema), "components": closed(copy.deepcopy(openapi["components"]))}
    validator = Draft202012Validator(document, format_checker=Draft202012Validator.FORMAT_CHECKER)
    errors = [
        f"{list(e.absolute_path)}: {e.message}" for e in validator.iter_errors(response.json())
    ]
    assert errors == [], (path, errors)
    return response.json()


def test_every_endpoint_answers_as_its_schema_says(openapi, client, api_letter):
    slug = api_letter.slug
    letters = check(openapi, client, f"{BASE}/letters", f"{BASE}/letters", 200)
    letter = check(openapi, client, f"{BASE}/letters/{{slug}}", f"{BASE}/letters/{slug}", 200)
    page = check(
        openapi, client, f"{BASE}/letters/{{slug}}/signatures",
        f"{BASE}/letters/{slug}/signatures?limit=2", 200,
    )  # fmt: skip
    last = check(
        openapi, client, f"{BASE}/letters/{{slug}}/signatures",
        page["next"].removeprefix("http://testserver"), 200,
    )  # fmt: skip
    counts = check(
        openapi, client, f"{BASE}/letters/{{slug}}/counts", f"{BASE}/letters/{slug}/counts", 200
    )

    assert letters["letters"][0]["slug"] == slug
    assert letter["total"] == counts["total"] == 4
    # Every kind, a Khmer and a French name, an empty country: all within the schema.
    names = [s["name"] for s in page["signatories"] + last["signatories"]]
    assert names[:2] == [KHMER_NAME, FRENCH_NAME]
    kinds = {s["kind"] for s in page["signatories"] + last["signatories"]}
    assert kinds == set(Signature.Kind.values)
    assert last["next"] is None


def test_a_frozen_letter_answers_as_its_schema_says(openapi, client, frozen_letter):
    slug = frozen_letter.slug
    letter = check(openapi, client, f"{BASE}/letters/{{slug}}", f"{BASE}/letters/{slug}", 200)
    check(
        openapi,
        client,
        f"{BASE}/letters/{{slug}}/signatures",
        f"{BASE}/letters/{slug}/signatures",
        200,
    )
    check(openapi, client, f"{BASE}/letters/{{slug}}/counts", f"{BASE}/letters/{slug}/counts", 200)

    assert len(letter["sha256"]) == 64
    assert letter["translations"][0]["language"] == "fr"


def test_errors_answer_as_their_schema_says(openapi, client, api_letter, draft_letter, settings):
    for path in ("letters/{slug}", "letters/{slug}/signatures", "letters/{slug}/counts"):
        check(
            openapi, client, f"{BASE}/{path}", f"{BASE}/{path.format(slug=draft_letter.slug)}", 404
        )
    check(
        openapi, client, f"{BASE}/letters/{{slug}}/signatures",
        f"{BASE}/letters/{api_letter.slug}/signatures?cursor=nope", 400,
    )  # fmt: skip
    settings.API_RATE_LIMIT = "1/m"
    client.get(f"{BASE}/letters")
    check(openapi, client, f"{BASE}/letters", f"{BASE}/letters", 429)


def test_the_schema_describes_each_endpoint_and_field(openapi):
    for path in (
        "/letters",
        "/letters/{slug}",
        "/letters/{slug}/signatures",
        "/letters/{slug}/counts",
    ):
        operation = openapi["paths"][f"{BASE}{path}"]["get"]
        assert operation["summary"] and len(operation["description"]) > 40, path
    signatory = openapi["components"]["schemas"]["Signatory"]["properties"]
    assert "e-mail" not in str(signatory).lower() and "email" not in signatory
    assert "12. Association TEP NIMITH (ATN), France" in signatory["line"]["description"]
    limit = next(
        p
        for p in openapi["paths"][f"{BASE}/letters/{{slug}}/signatures"]["get"]["parameters"]
        if p["name"] == "limit"
    )
    assert (limit["schema"]["maximum"], limit["schema"]["default"]) == (500, 100)


def test_the_schema_is_one_reading_for_every_parser(client):
    """Swagger UI reads the schema as YAML, which refuses a key given twice in one object
    (Python's json keeps the last one silently): the docs page would show only an error."""

    def no_repeats(pairs):
        keys = [key for key, _ in pairs]
        assert len(keys) == len(set(keys)), f"keys given twice: {keys}"
        return dict(pairs)

    json.loads(client.get(f"{BASE}/openapi.json").content, object_pairs_hook=no_repeats)
