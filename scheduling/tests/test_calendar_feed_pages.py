"""The calendar feed's page: off by default, turned on with a POST, the address shown once,
a new address or turning off asked first and done by POST only, and the doctor's option."""

import pytest
from django.conf import settings
from django.urls import reverse

from scheduling.models import CalendarFeed
from scheduling.tests.test_calendar_feeds import fetch

pytestmark = pytest.mark.django_db

PAGE = reverse("scheduling:calendar-feed")
SHOWN_ONCE = "it is shown only this once"


def address_on(html: str) -> str:
    """The https:// address shown on the page (its token is the last part)."""
    start = html.index('id="feed-https" type="text" value="') + len(
        'id="feed-https" type="text" value="'
    )
    return html[start : html.index('"', start)]


def token_of(address: str) -> str:
    return address.rsplit("/", 1)[1].removesuffix(".ics")


def turn_on(client) -> str:
    response = client.post(reverse("scheduling:calendar-feed-enable"), follow=True)
    html = response.content.decode()
    assert SHOWN_ONCE in html
    return address_on(html)


def test_the_feed_is_off_until_turned_on(client_for, patient):
    html = client_for(patient).get(PAGE).content.decode()

    assert "Turn on the calendar feed" in html
    assert not CalendarFeed.objects.filter(owner=patient).exists()


def test_turning_on_shows_the_address_once(client_for, patient):
    client = client_for(patient)

    address = turn_on(client)

    assert address.startswith("http") and address.endswith(".ics")
    html = client.get(PAGE).content.decode()
    assert SHOWN_ONCE not in html and token_of(address) not in html
    assert ">On</span> since" in html
    client.logout()
    assert fetch(client, token_of(address)).status_code == 200


def test_the_page_offers_webcal_and_https_with_copy_buttons(client_for, patient):
    response = client_for(patient).post(reverse("scheduling:calendar-feed-enable"), follow=True)
    html = response.content.decode()

    token = token_of(address_on(html))
    host_and_path = settings.HMS_BASE_URL.split("://")[1] + f"/scheduling/feeds/{token}.ics"
    assert f'value="webcal://{host_and_path}"' in html
    assert f'value="{settings.HMS_BASE_URL}/scheduling/feeds/{token}.ics"' in html
    assert html.count("data-copy=") == 2
    assert "js/copy.js" in html
    assert (
        response["Cache-Control"].startswith("no-store") or "no-store" in response["Cache-Control"]
    )


def test_a_new_address_is_asked_first_and_stops_the_old_one(client_for, patient):
    client = client_for(patient)
    old = token_of(turn_on(client))
    url = reverse("scheduling:calendar-feed-regenerate")

    asked = client.get(url)
    assert "Make a new address for your calendar feed?" in asked.content.decode()
    assert fetch(client, old).status_code == 200  # asking changed nothing

    html = client.post(url, follow=True).content.decode()
    new = token_of(address_on(html))
    assert new != old
    assert fetch(client, old).status_code == 404
    assert fetch(client, new).status_code == 200


def test_turning_off_is_asked_first_and_stops_the_address(client_for, patient):
    client = client_for(patient)
    token = token_of(turn_on(client))
    url = reverse("scheduling:calendar-feed-revoke")

    assert "Turn off your calendar feed?" in client.get(url).content.decode()
    assert fetch(client, token).status_code == 200

    html = client.post(url, follow=True).content.decode()
    assert "Your calendar feed is off" in html and "Turn on the calendar feed" in html
    assert fetch(client, token).status_code == 404


def test_turning_on_is_a_post_only(client_for, patient):
    client = client_for(patient)

    assert client.get(reverse("scheduling:calendar-feed-enable")).status_code == 405
    assert not CalendarFeed.objects.exists()


def test_every_change_needs_the_csrf_token(client, patient):
    client.handler.enforce_csrf_checks = True
    client.force_login(patient)
    for name in ("enable", "regenerate", "revoke", "options"):
        response = client.post(reverse(f"scheduling:calendar-feed-{name}"))
        assert response.status_code == 403, name
    assert not CalendarFeed.objects.exists()


def test_a_doctor_chooses_to_show_the_reason(client_for, doctor):
    client = client_for(doctor)
    assert "Show the reason for the visit in my calendar" in client.get(PAGE).content.decode()

    url = reverse("scheduling:calendar-feed-options")
    html = client.post(url, {"include_reason": "on"}, follow=True).content.decode()
    assert "Saved: your calendar feed shows the reason for each visit." in html
    assert CalendarFeed.objects.get(owner=doctor).include_reason

    client.post(url, {})
    assert not CalendarFeed.objects.get(owner=doctor).include_reason


def test_patients_have_no_reason_option(client_for, patient):
    client = client_for(patient)

    assert "Show the reason" not in client.get(PAGE).content.decode()
    response = client.post(reverse("scheduling:calendar-feed-options"), {"include_reason": "on"})
    assert response.status_code == 403


@pytest.mark.parametrize("staff", ["hospital_admin", "front_desk"])
def test_staff_have_no_feed_of_their_own(request, client_for, staff):
    client = client_for(request.getfixturevalue(staff))

    assert client.get(PAGE).status_code == 403
    assert client.post(reverse("scheduling:calendar-feed-enable")).status_code == 403


def test_the_profile_pages_link_to_the_feed(client_for, patient, doctor):
    for user in (patient, doctor):
        html = client_for(user).get(reverse("clinic:my-profile")).content.decode()
        assert f'href="{PAGE}"' in html


def test_an_address_replaced_in_another_tab_is_not_shown_as_current(client_for, patient):
    from scheduling import services

    client = client_for(patient)
    client.post(reverse("scheduling:calendar-feed-enable"))  # the address waits for the page
    services.calendar_feed_regenerate(owner=patient)  # meanwhile, elsewhere

    html = client.get(PAGE).content.decode()
    assert SHOWN_ONCE not in html and ">On</span> since" in html
