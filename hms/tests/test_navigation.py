"""The site navigation: each user sees their own name (escaped), a CSRF token, the entries
of their role and the active one."""

from accounts.models import User
from accounts.roles import DOCTOR
from accounts.services import user_set_role
from accounts.tests.factories import patient_user


def nav(html: str) -> str:
    return html[html.index('<nav class="navbar') : html.index("</nav>")]


def test_each_user_sees_their_own_name_escaped_and_a_csrf_token(client, db):
    first = patient_user()
    User.objects.filter(pk=first.pk).update(first_name="<b>Ann</b>", last_name="O'Neil")
    second = patient_user()
    client.force_login(first)
    page = nav(client.get("/records/my/").content.decode())
    assert "&lt;b&gt;Ann&lt;/b&gt; O&#x27;Neil" in page
    assert "<b>Ann" not in page
    assert first.email in page
    token = page.split('name="csrfmiddlewaretoken" value="')[1].split('"')[0]
    assert len(token) == 64
    client.force_login(second)
    page = nav(client.get("/records/my/").content.decode())  # same role and section: cached
    assert second.email in page
    assert first.email not in page and "Ann" not in page


def test_active_link_follows_the_path(client, db):
    client.force_login(patient_user())
    history = nav(client.get("/records/my/").content.decode())
    assert 'class="nav-link active" href="/records/my/"' in history
    directory = nav(client.get("/clinic/doctors/").content.decode())
    assert 'class="nav-link active" href="/clinic/doctors/"' in directory
    assert 'class="nav-link active" href="/records/my/"' not in directory


def test_a_role_change_shows_in_the_menu_on_the_next_request(client, db):
    user = patient_user()
    client.force_login(user)
    assert "My appointments" in nav(client.get("/dashboard/", follow=True).content.decode())
    user_set_role(user=user, role=DOCTOR)
    page = nav(client.get("/dashboard/", follow=True).content.decode())
    assert "My appointments" not in page
    assert "Availability" in page


def test_signed_out_menu(client, db):
    page = nav(client.get("/accounts/login/").content.decode())
    assert "Sign in" in page and "Sign out" not in page


def test_menus_open_without_javascript(client, db, hospital_admin):
    """The phone menu, the user menu and Records are <details> menus (no Bootstrap script
    needed to open them); signing out stays a POST form."""
    client.force_login(hospital_admin)
    page = nav(client.get("/records/all/").content.decode())

    assert "data-bs-toggle" not in page
    assert '<details class="hms-menu navbar-menu">' in page
    assert '<summary class="navbar-toggler">' in page
    user_menu = page[page.index('<summary class="nav-link dropdown-toggle">\n') :]
    assert user_menu.index("Two-factor sign-in") < user_menu.index("</details>")
    sign_out = user_menu[user_menu.index('<form method="post" action="/accounts/logout/">') :]
    assert sign_out.index('name="csrfmiddlewaretoken"') < sign_out.index("Sign out</button>")
    records = page[page.index('dropdown-toggle active">Records</summary>') :]
    assert records.index("Access log") < records.index("</details>")
