"""A session is signed out after SESSION_IDLE_TIMEOUT seconds without a request."""

from __future__ import annotations

import time

from maturity.accounts.middleware import LAST_ACTIVITY_KEY


def set_last_activity(client, seconds_ago: int) -> None:
    session = client.session
    session[LAST_ACTIVITY_KEY] = int(time.time()) - seconds_ago
    session.save()


def test_activity_is_recorded_on_a_request(client, contributor):
    client.force_login(contributor)
    before = int(time.time())
    client.get("/accounts/")
    assert before <= client.session[LAST_ACTIVITY_KEY] <= time.time()


def test_an_idle_session_is_signed_out_with_a_message(client, contributor):
    client.force_login(contributor)
    client.get("/accounts/")
    set_last_activity(client, 31 * 60)
    response = client.get("/accounts/", follow=True)
    assert response.redirect_chain[0][0].startswith("/accounts/sign-in/?next=/accounts/")
    assert "_auth_user_id" not in client.session
    assert "signed out because you were inactive for 30 minutes" in response.content.decode()


def test_a_recently_active_session_stays_signed_in_and_is_refreshed(client, contributor):
    client.force_login(contributor)
    set_last_activity(client, 25 * 60)
    before = int(time.time())
    assert client.get("/accounts/").status_code == 200
    assert client.session[LAST_ACTIVITY_KEY] >= before


def test_the_timeout_is_configurable(client, settings, contributor):
    settings.SESSION_IDLE_TIMEOUT = 10 * 60
    client.force_login(contributor)
    set_last_activity(client, 5 * 60)
    assert client.get("/accounts/").status_code == 200
    set_last_activity(client, 10 * 60 + 1)
    assert client.get("/accounts/").status_code == 302
    assert "_auth_user_id" not in client.session


def test_anonymous_visitors_are_not_touched(client, db):
    client.get("/accounts/sign-in/")
    assert LAST_ACTIVITY_KEY not in client.session
