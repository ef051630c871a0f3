"""What a person finds on every page."""


def switch(page, language_name: str):
    """The language switch's link to `language_name` ("Français"), at the top of every page."""
    return page.locator(".language-switch").get_by_role("link", name=language_name, exact=True)
