"""The API's documentation: its OpenAPI schema, the interactive page under Cosign's
Content-Security-Policy, and the footer's link to it."""

import pytest
from django.urls import reverse

DOCS = "/api/v1/docs/"


@pytest.mark.django_db
def test_the_docs_page_loads_only_static_scripts(client):
    response = client.get(DOCS)

    assert response.status_code == 200
    html = response.content.decode()
    assert '<script type="application/json" id="swagger-settings">' in html
    assert "/static/ninja/swagger-ui-bundle.js" in html
    assert "/static/ninja/swagger-ui-init.js" in html
    assert "script-src 'self'" in response["Content-Security-Policy"]


@pytest.mark.django_db
@pytest.mark.parametrize("prefix", ["", "/fr", "/km"])
def test_the_footer_links_to_the_api_docs(client, prefix):
    html = client.get(f"{prefix}/").content.decode()

    assert f'href="{reverse("api-v1:openapi-view")}"' in html
