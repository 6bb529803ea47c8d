"""Returns in a real browser (Playwright + chromium): a contributor answers a domain with
JavaScript (htmx autosave) and without it, the submitter commits, an analyst unlocks, and a
domain is completed with the keyboard alone. Every page visited is checked by axe-core (zero
violations) and for Content Security Policy violations; `check()` re-checks after interactions.
"""

from __future__ import annotations

import pytest

from maturity.assessments import services
from maturity.assessments.models import Answer, ReturnStatus
from tests.assessments.pages.conftest import (  # noqa: F401  (fixtures)
    _fast_password_hashing,
    _shipped_editions,
    editions,
)
from tests.assessments.pages.factories import (
    DOMAIN,
    PASSWORD,
    World,
    answer_everything,
    build_world,
)

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]


@pytest.fixture
def world(editions, settings, tmp_path) -> World:  # noqa: F811  (the imported fixture)
    settings.MEDIA_ROOT = str(tmp_path / "media")
    return build_world()


def sign_in(visitor, username: str) -> None:
    visitor.visit("/accounts/sign-in/")
    visitor.page.fill("#id_username", username)
    visitor.page.fill("#id_password", PASSWORD)
    visitor.page.click("button:has-text('Sign in')")
    visitor.page.wait_for_url(lambda url: "/accounts/sign-in/" not in url)


def stored(return_, item_id):
    found = Answer.objects.filter(return_obj=return_, item_id=item_id).first()
    return found.value if found else None


def domain_path(return_) -> str:
    return f"/returns/{return_.pk}/domains/{DOMAIN}/"


def test_contributor_answers_a_domain_with_javascript(visitor, world):
    page = visitor.page
    sign_in(visitor, "contributor")
    visitor.visit("/returns/")
    page.click(f"a[href='/returns/{world.bath_return.pk}/']")
    visitor.check()
    page.click("text=Electronic patient record")
    visitor.check()
    assert page.url.endswith(domain_path(world.bath_return))

    # Each change saves on its own; "Saved" appears only after the server has stored it.
    page.check("#item-sf-epr-l1-a")
    page.wait_for_selector("#status-item-sf-epr-l1-a:has-text('Saved at')")
    assert stored(world.bath_return, "sf.epr.l1.a") == "met"
    assert page.input_value("input[name='version-sf.epr.l1.a']") == "1"

    # The level this gives moves as answers are saved.
    for item in ("sf-epr-l1-b", "sf-epr-l2-a", "sf-epr-l2-b"):
        page.check(f"#item-{item}")
        page.wait_for_selector(f"#status-item-{item}:has-text('Saved at')")
    assert page.inner_text("#domain-level") == "These answers give level 2."

    # The narrative saves after typing pauses or when the box loses focus.
    page.fill("#item-narrative-sf-epr", "Live on every adult inpatient ward.")
    page.locator("#item-narrative-sf-epr").blur()
    page.wait_for_selector("#status-item-narrative-sf-epr:has-text('Saved at')")
    assert stored(world.bath_return, f"narrative:{DOMAIN}") == "Live on every adult inpatient ward."
    visitor.check()

    # Someone else changes an item: the next autosave is refused, showing both values.
    current = Answer.objects.get(return_obj=world.bath_return, item_id="sf.epr.l1.a")
    services.answer_save(
        by=world.submitter,
        return_=world.bath_return,
        item_id="sf.epr.l1.a",
        value="na",
        expected_version=current.version,
    )
    page.check("#item-sf-epr-l1-a-2")
    page.wait_for_selector("#status-item-sf-epr-l1-a:has-text('Not saved')")
    status = page.inner_text("#status-item-sf-epr-l1-a")
    assert "Sam Submitter saved “Not applicable”" in status and "“Not met”" in status
    assert stored(world.bath_return, "sf.epr.l1.a") == "na"
    visitor.check()
    page.click("#status-item-sf-epr-l1-a button:has-text('Keep my answer')")
    page.wait_for_selector("#status-item-sf-epr-l1-a:has-text('Saved at')")
    assert stored(world.bath_return, "sf.epr.l1.a") == "not_met"

    # Reloading shows what was saved.
    visitor.visit(domain_path(world.bath_return))
    assert page.is_checked("#item-sf-epr-l1-a-2")
    assert page.input_value("#item-narrative-sf-epr") == "Live on every adult inpatient ward."


def test_contributor_answers_a_domain_without_javascript(visitor_no_js, world):
    page = visitor_no_js.page
    sign_in(visitor_no_js, "contributor")
    visitor_no_js.visit(f"/returns/{world.bath_return.pk}/")
    visitor_no_js.visit(domain_path(world.bath_return))
    # Guidance opens without JavaScript (details element).
    page.click("text=How to tell if this is good enough")
    assert page.locator("text=Walk a ward").is_visible()
    page.check("#item-sf-epr-l1-a")
    page.check("#item-sf-epr-l1-b-2")
    page.fill("#item-narrative-sf-epr", "Paper in two wards.")
    page.click("button:has-text('Save and stay on this page')")
    visitor_no_js.check()
    assert page.url.endswith(domain_path(world.bath_return))
    assert "Your answers have been saved." in page.content()
    assert stored(world.bath_return, "sf.epr.l1.a") == "met"
    assert stored(world.bath_return, "sf.epr.l1.b") == "not_met"
    assert page.inner_text("#domain-level") == "These answers give level 1."

    # A stale edit lands on the conflict page; the person chooses.
    services.answer_save(
        by=world.submitter,
        return_=world.bath_return,
        item_id="sf.epr.l1.b",
        value="met",
        expected_version=1,
    )
    page.check("#item-sf-epr-l1-b-3")
    page.click("button:has-text('Save and stay on this page')")
    visitor_no_js.check()
    assert "Choose which answers to keep" in page.content()
    page.check("text=Keep my answer: Not applicable")
    page.click("button:has-text('Save my choices')")
    visitor_no_js.check()
    assert stored(world.bath_return, "sf.epr.l1.b") == "na"

    # The contextual questions work without JavaScript too: every question shows.
    visitor_no_js.visit(f"/returns/{world.bath_return.pk}/context/")
    page.check("#item-ctx-epr_in_place")
    page.fill("#item-ctx-epr_go_live-day", "1")
    page.fill("#item-ctx-epr_go_live-month", "4")
    page.fill("#item-ctx-epr_go_live-year", "2021")
    page.fill("#item-ctx-eprescribing_coverage", "150")
    page.click("button:has-text('Save and stay on this page')")
    visitor_no_js.check()
    assert "There is a problem" in page.content()
    page.fill("#item-ctx-eprescribing_coverage", "80")
    page.click("button:has-text('Save and stay on this page')")
    visitor_no_js.check()
    assert stored(world.bath_return, "ctx.epr_go_live") == "2021-04-01"
    assert stored(world.bath_return, "ctx.eprescribing_coverage") == 80.0


def test_contextual_questions_reveal_with_javascript(visitor, world):
    page = visitor.page
    sign_in(visitor, "contributor")
    visitor.visit(f"/returns/{world.bath_return.pk}/context/")
    assert not page.is_visible("#item-ctx-shared_care_record_staff_pct")
    page.check("#item-ctx-shared_care_record_access")
    page.wait_for_selector("#status-item-ctx-shared_care_record_access:has-text('Saved at')")
    assert page.is_visible("#item-ctx-shared_care_record_staff_pct")
    page.fill("#item-ctx-shared_care_record_staff_pct", "64")
    page.locator("#item-ctx-shared_care_record_staff_pct").blur()
    page.wait_for_selector("#status-item-ctx-shared_care_record_staff_pct:has-text('Saved at')")
    visitor.check()
    assert stored(world.bath_return, "ctx.shared_care_record_access") is True
    assert stored(world.bath_return, "ctx.shared_care_record_staff_pct") == 64.0


def test_submitter_commits_and_analyst_unlocks(visitor, world):
    page = visitor.page
    answer_everything(world.bath_return, world.contributor)
    sign_in(visitor, "submitter")
    visitor.visit(f"/returns/{world.bath_return.pk}/")
    page.click("a:has-text('Commit this return')")
    visitor.check()
    assert "Once committed the return is locked; only NHS England can unlock it" in page.content()
    page.click("button:has-text('Commit')")
    visitor.check()
    world.bath_return.refresh_from_db()
    assert world.bath_return.status == ReturnStatus.COMMITTED
    assert "committed and is locked" in page.content()
    visitor.visit(domain_path(world.bath_return))  # read-only now
    assert page.locator("#answers-form").count() == 0
    page.context.clear_cookies()

    sign_in(visitor, "analyst")
    visitor.visit(f"/returns/{world.bath_return.pk}/")
    page.click("a:has-text('Unlock this return')")
    visitor.check()
    page.click("button:has-text('Unlock the return')")
    visitor.check()
    assert "Enter why you are unlocking this return" in page.content()
    page.fill("#id_reason", "The EPR criteria were answered for the wrong site.")
    page.click("button:has-text('Unlock the return')")
    visitor.check()
    world.bath_return.refresh_from_db()
    assert world.bath_return.status == ReturnStatus.IN_PROGRESS
    visitor.visit(f"/returns/{world.bath_return.pk}/audit/")
    assert "The EPR criteria were answered for the wrong site." in page.content()
    visitor.visit("/cycles/")
    visitor.visit(f"/cycles/{world.cycle.pk}/")
    visitor.visit(f"/cycles/{world.cycle.pk}/completion/")
    page.click("text=South West")
    visitor.check()
    visitor.visit("/cycles/new/")
    page.click("button:has-text('Open the cycle')")
    visitor.check()
    assert "There is a problem" in page.content()


def _tab_to(page, selector: str, limit: int = 400) -> None:
    for _ in range(limit):
        page.keyboard.press("Tab")
        if page.evaluate(
            "(s) => document.activeElement && document.activeElement.matches(s)", selector
        ):
            return
    raise AssertionError(f"Tab never reached {selector}")


def test_keyboard_only_completion(visitor, world):
    """A domain answered, saved and the return committed with Tab, Space and Enter only."""
    from maturity.frameworks.selectors import get_edition

    page = visitor.page
    criteria = [c.id for c in get_edition("wgll-2025").domain(DOMAIN).criteria]
    answer_everything(world.bath_return, world.contributor, skip_domain=DOMAIN)
    sign_in(visitor, "submitter")
    visitor.visit(domain_path(world.bath_return))
    for item_id in criteria:
        # An unanswered radio group is one tab stop, on its first option (Met).
        _tab_to(page, f"input[name='answer-{item_id}']")
        page.keyboard.press("Space")
        dom = "item-" + item_id.replace(".", "-")
        page.wait_for_selector(f"#status-{dom}:has-text('Saved at')")
    assert page.inner_text("#domain-level") == "These answers give level 5."
    visitor.check()
    _tab_to(page, "button[value='return']")
    page.keyboard.press("Enter")
    page.wait_for_url(f"**/returns/{world.bath_return.pk}/")
    visitor.check()
    assert all(stored(world.bath_return, item_id) == "met" for item_id in criteria)
    _tab_to(page, f"a[href='/returns/{world.bath_return.pk}/commit/']")
    page.keyboard.press("Enter")
    page.wait_for_url("**/commit/")
    visitor.check()
    _tab_to(page, "main button[type='submit']")
    page.keyboard.press("Enter")
    page.wait_for_url(f"**/returns/{world.bath_return.pk}/")
    visitor.check()
    world.bath_return.refresh_from_db()
    assert world.bath_return.status == ReturnStatus.COMMITTED
