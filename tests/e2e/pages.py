"""What a person finds on every page."""


def switch(page, language_name: str):
    """The language switch's link to `language_name` ("Français"), at the top of every page."""
    return page.locator(".language-switch").get_by_role("link", name=language_name, exact=True)


def log_in(page, live_server, username: str, next_url: str, password: str) -> None:
    """Log in from the login page, which then goes to `next_url`."""
    page.goto(f"{live_server.url}/accounts/login/?next={next_url}")
    page.get_by_label("Username").fill(username)
    page.get_by_label("Password").fill(password)
    page.get_by_role("button", name="Log in").click()
