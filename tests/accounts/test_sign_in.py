"""Sign-in throttling (per username and per address, in the database), sign-out by POST only,
and CSRF on sign-in and on service forms."""

from __future__ import annotations

import datetime as dt

import pytest
from django.core.management import call_command
from django.db.models import F
from django.test import Client
from django.utils import timezone

from maturity.accounts.forms import clock_time
from maturity.accounts.models import ApiToken, LoginAttempt, Membership
from maturity.accounts.throttling import client_ip, locked_until

from .conftest import PASSWORD

SIGN_IN = "/accounts/sign-in/"


def attempt(client: Client, username: str, password: str, ip: str = "10.0.0.1"):
    return client.post(
        SIGN_IN, {"username": username, "password": password, "next": "/"}, REMOTE_ADDR=ip
    )


def signed_in(client: Client) -> bool:
    return "_auth_user_id" in client.session


def fail(client: Client, username: str, times: int, ip: str = "10.0.0.1") -> None:
    for _ in range(times):
        response = attempt(client, username, "wrong-password", ip)
        assert response.status_code == 200
        assert "Enter a correct username and password" in response.content.decode()


def test_a_correct_sign_in_works_and_is_recorded(client, contributor):
    response = attempt(client, "contributor", PASSWORD)
    assert response.status_code == 302 and response.url == "/"
    assert signed_in(client)
    assert LoginAttempt.objects.get().succeeded


def test_five_failures_lock_the_username_even_with_the_right_password(client, contributor):
    fail(client, "contributor", 5)
    response = attempt(client, "contributor", PASSWORD)
    page = response.content.decode()
    assert response.status_code == 200 and not signed_in(client)
    assert "You have entered incorrect details too many times" in page
    assert "You can try again at" in page
    assert "There is a problem" in page  # the NHS.UK error summary
    # Refused attempts while locked are not counted, so the lock ends when it says.
    assert LoginAttempt.objects.filter(succeeded=False).count() == 5


def test_the_message_says_when_to_try_again(client, contributor):
    fail(client, "contributor", 5)
    last = LoginAttempt.objects.latest("attempted_at").attempted_at
    until = locked_until(username="contributor", ip="10.0.0.1")
    assert until == last + dt.timedelta(minutes=15)
    shown = (until + dt.timedelta(seconds=59)).replace(second=0, microsecond=0)
    assert clock_time(shown) in attempt(client, "contributor", PASSWORD).content.decode()


def test_the_lock_expires_after_fifteen_minutes(client, contributor):
    fail(client, "contributor", 5)
    assert not signed_in(client) and attempt(client, "contributor", PASSWORD).status_code == 200
    LoginAttempt.objects.update(attempted_at=F("attempted_at") - dt.timedelta(minutes=14))
    assert attempt(client, "contributor", PASSWORD).status_code == 200  # still locked
    LoginAttempt.objects.update(attempted_at=F("attempted_at") - dt.timedelta(minutes=1, seconds=1))
    response = attempt(client, "contributor", PASSWORD)
    assert response.status_code == 302 and signed_in(client)


def test_failures_spread_beyond_the_window_do_not_lock(client, contributor):
    fail(client, "contributor", 4)
    LoginAttempt.objects.update(attempted_at=F("attempted_at") - dt.timedelta(minutes=16))
    fail(client, "contributor", 1)
    assert locked_until(username="contributor", ip="10.0.0.1") is None


def test_a_successful_sign_in_clears_the_username_count(client, contributor):
    fail(client, "contributor", 4)
    assert attempt(client, "contributor", PASSWORD).status_code == 302
    client.logout()
    fail(client, "contributor", 4)
    assert locked_until(username="contributor", ip="10.0.0.2") is None


def test_changing_case_does_not_buy_more_guesses(client, contributor):
    fail(client, "Contributor", 3)
    fail(client, "CONTRIBUTOR", 2)
    assert attempt(client, "contributor", PASSWORD).status_code == 200
    assert not signed_in(client)


def test_unknown_usernames_are_throttled_too(client, db):
    fail(client, "no-such-person", 5)
    assert locked_until(username="no-such-person", ip="10.0.0.9") is not None


def test_one_address_is_locked_after_its_own_limit_across_usernames(client, settings, contributor):
    settings.LOGIN_IP_FAILURE_LIMIT = 3
    for name in ("alice", "bob", "carol"):
        fail(client, name, 1, ip="192.0.2.7")
    # A different username from the same address is refused; another address is not.
    assert attempt(client, "contributor", PASSWORD, ip="192.0.2.7").status_code == 200
    assert not signed_in(client)
    assert attempt(client, "contributor", PASSWORD, ip="192.0.2.8").status_code == 302


def test_a_success_does_not_clear_the_address_count(client, settings, contributor):
    settings.LOGIN_IP_FAILURE_LIMIT = 3
    fail(client, "alice", 2, ip="192.0.2.7")
    assert attempt(client, "contributor", PASSWORD, ip="192.0.2.7").status_code == 302
    client.logout()
    fail(client, "bob", 1, ip="192.0.2.7")
    assert locked_until(username="carol", ip="192.0.2.7") is not None


def test_missing_fields_are_errors_but_not_attempts(client, contributor):
    response = client.post(SIGN_IN, {"username": "contributor", "password": ""})
    assert "Enter your password" in response.content.decode()
    response = client.post(SIGN_IN, {"username": "", "password": "x"})
    assert "Enter your username" in response.content.decode()
    assert not LoginAttempt.objects.exists()


def test_forwarded_addresses_are_used_only_behind_a_trusted_proxy(rf, settings):
    request = rf.get("/", REMOTE_ADDR="10.1.1.1", HTTP_X_FORWARDED_FOR="203.0.113.5, 198.51.100.9")
    assert client_ip(request) == "10.1.1.1"
    settings.LOGIN_TRUSTED_PROXY_COUNT = 1
    assert client_ip(request) == "198.51.100.9"
    settings.LOGIN_TRUSTED_PROXY_COUNT = 2
    assert client_ip(request) == "203.0.113.5"
    assert client_ip(rf.get("/", REMOTE_ADDR="not an address")) is None


def test_old_attempts_are_pruned(db):
    now = timezone.now()
    LoginAttempt.objects.create(
        username="a", attempted_at=now - dt.timedelta(days=91), succeeded=False
    )
    LoginAttempt.objects.create(
        username="b", attempted_at=now - dt.timedelta(days=1), succeeded=False
    )
    call_command("prune_login_attempts", "--days", "90")
    assert list(LoginAttempt.objects.values_list("username", flat=True)) == ["b"]


# --- sign-out -------------------------------------------------------------------------------------


def test_sign_out_refuses_get(client, contributor):
    client.force_login(contributor)
    assert client.get("/accounts/sign-out/").status_code == 405
    assert signed_in(client)


def test_sign_out_by_post_signs_out_with_a_message(client, contributor):
    client.force_login(contributor)
    response = client.post("/accounts/sign-out/", follow=True)
    assert not signed_in(client)
    assert response.redirect_chain[-1][0] == "/"
    assert "You have signed out." in response.content.decode()


def test_the_header_signs_out_with_a_form_that_carries_the_csrf_token(contributor):
    client = Client(enforce_csrf_checks=True)
    client.force_login(contributor)
    page = client.get("/accounts/").content.decode()
    start = page.index('<form class="nhsuk-header__account-form"')
    form = page[start : page.index("</form>", start)]
    assert 'action="/accounts/sign-out/"' in form and 'method="post"' in form
    token = form.split('name="csrfmiddlewaretoken" value="')[1].split('"')[0]
    response = client.post("/accounts/sign-out/", {"csrfmiddlewaretoken": token})
    assert response.status_code == 302 and not signed_in(client)


# --- CSRF -----------------------------------------------------------------------------------------


def test_sign_in_without_a_csrf_token_is_refused(contributor):
    client = Client(enforce_csrf_checks=True)
    response = client.post(SIGN_IN, {"username": "contributor", "password": PASSWORD})
    assert response.status_code == 403
    assert not signed_in(client)
    # With the token from the form, the same sign-in works.
    client.get(SIGN_IN)
    token = client.cookies["csrftoken"].value
    response = client.post(
        SIGN_IN, {"username": "contributor", "password": PASSWORD, "csrfmiddlewaretoken": token}
    )
    assert response.status_code == 302 and signed_in(client)


def test_service_forms_without_a_csrf_token_are_refused(submitter, nobody):
    client = Client(enforce_csrf_checks=True)
    client.force_login(submitter)
    response = client.post("/accounts/people/RD1/", {"person": "nobody", "role": "contributor"})
    assert response.status_code == 403
    assert not Membership.objects.filter(user=nobody).exists()
    assert client.post("/accounts/api-tokens/", {"name": "x"}).status_code == 403
    assert not ApiToken.objects.exists()


@pytest.mark.parametrize("path", ["/accounts/", "/accounts/api-tokens/", "/accounts/people/"])
def test_signed_in_pages_send_anonymous_visitors_to_sign_in(client, db, path):
    response = client.get(path)
    assert response.status_code == 302 and response.url.startswith(f"{SIGN_IN}?next=")
