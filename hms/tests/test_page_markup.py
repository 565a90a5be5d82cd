"""Every page fits the Content-Security-Policy: no inline styles, handlers or scripts.

Two nets: a scan of the template sources, and a crawl of every page reachable by links from each
demo role's dashboard (which also catches markup that widgets and third-party templates emit).
"""

import re
from html.parser import HTMLParser
from pathlib import Path
from urllib.parse import urldefrag, urlsplit

import pytest
from django.conf import settings
from django.core.management import call_command

from accounts.seed import DEMO_PASSWORD

TEMPLATES = Path(settings.BASE_DIR) / "templates"
# E-mails and PDFs are not served to browsers, so the policy does not apply to them.
NOT_PAGES = ("emails", "pdf")
INLINE_HANDLER = re.compile(r"\son[a-z]+\s*=", re.IGNORECASE)


def page_templates():
    return [
        path
        for path in sorted(TEMPLATES.rglob("*.html"))
        if path.relative_to(TEMPLATES).parts[0] not in NOT_PAGES
    ]


@pytest.mark.parametrize("path", page_templates(), ids=lambda p: str(p.relative_to(TEMPLATES)))
def test_template_source_has_no_inline_style_handler_or_script(path):
    source = path.read_text()
    assert 'style="' not in source, "use a CSS class: the CSP forbids inline styles"
    for tag in re.findall(r"<style\b[^>]*>", re.sub(r"{#.*?#}", "", source)):
        assert "nonce=" in tag, (
            f"inline <style> without the CSP nonce: use a static CSS file ({tag})"
        )
    assert not INLINE_HANDLER.search(source), "use a static script: the CSP forbids on*= handlers"
    for tag in re.findall(r"<script\b[^>]*>", source):
        assert "src=" in tag or "nonce=" in tag, f"inline script without the CSP nonce: {tag}"


class PageParser(HTMLParser):
    def __init__(self):
        super().__init__()
        self.links: list[str] = []
        self.problems: list[str] = []

    def handle_starttag(self, tag, attrs):
        names = dict(attrs)
        if "style" in names:
            self.problems.append(f"<{tag} style={names['style']!r}>")
        self.problems += [f"<{tag} {n}=…>" for n in names if n.startswith("on")]
        if tag == "script" and not (
            "src" in names or "nonce" in names or names.get("type") == "application/json"
        ):
            self.problems.append("<script> without src or nonce")
        if tag == "a" and names.get("href"):
            self.links.append(names["href"])


def crawl(client, start: str, limit: int = 150) -> tuple[set[str], dict[str, list[str]]]:
    """GET every same-site page reachable from `start`; returns the URLs seen and problems."""
    seen, queue, problems = {start}, [start], {}
    while queue and len(seen) <= limit:
        url = queue.pop(0)
        response = client.get(url, follow=True)
        assert response.status_code < 500, url
        if not response.get("Content-Type", "").startswith("text/html"):
            continue
        parser = PageParser()
        parser.feed(response.content.decode())
        if parser.problems:
            problems[url] = parser.problems
        for href in parser.links:
            link = urldefrag(href).url
            parts = urlsplit(link)
            if parts.scheme or parts.netloc or not parts.path.startswith("/"):
                continue
            # Django's own admin is out of scope; logout is a POST form anyway.
            if link.startswith(("/admin/", "/accounts/logout/")) or link in seen:
                continue
            seen.add(link)
            queue.append(link)
    return seen, problems


@pytest.mark.django_db
@pytest.mark.parametrize(
    ("email", "at_least"),
    [
        ("patient@example.com", 20),
        ("doctor@example.com", 30),
        ("admin@example.com", 60),
        ("frontdesk@example.com", 20),
    ],
)
def test_every_page_reachable_from_the_dashboard_is_csp_clean(client, email, at_least):
    call_command("seed_demo", verbosity=0)
    assert client.login(email=email, password=DEMO_PASSWORD)

    seen, problems = crawl(client, "/dashboard/")

    assert problems == {}
    assert len(seen) >= at_least  # the crawl really walked the site


@pytest.mark.django_db
def test_public_pages_are_csp_clean(client):
    seen, problems = crawl(client, "/")
    assert problems == {}
    assert {"/accounts/login/", "/accounts/signup/"} <= seen
