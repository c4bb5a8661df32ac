"""The Phone numbers page in a real browser (Debian's Chromium, driven by Playwright) on the system
as `make run` starts it: an admin's whole day, an agent's read-only view, another tenant's nothing.

Every step saves a screenshot under .var/test-output/phone-numbers-page/ (not committed).
"""

from __future__ import annotations

import json
import random
import re
import shutil
import time
from collections.abc import AsyncIterator, Awaitable, Callable
from pathlib import Path

import pytest

from velotest import eventually

from .conftest import RunningSystem
from .flows import SLOW, active_number, until_assigned

pytestmark = pytest.mark.infra

CHROMIUM = shutil.which("chromium") or "/usr/bin/chromium"
SHOTS = Path(__file__).resolve().parents[2] / ".var" / "test-output" / "phone-numbers-page"
CHROMIUM_FLAGS = [
    "--no-sandbox",
    "--disable-gpu",
    "--disable-quic",
    "--no-first-run",
    "--disable-background-networking",
    "--disable-component-update",
    "--disable-sync",
]
WAIT_MS = SLOW * 1000

if not Path(CHROMIUM).exists():
    pytest.skip(
        "Chromium is not installed: `make prepare` installs Debian's chromium and "
        "chromium-driver when run as root (apt-get install chromium chromium-driver)",
        allow_module_level=True,
    )

from playwright.async_api import (  # noqa: E402  (only once Chromium is known to be there)
    Browser,
    Locator,
    Page,
    async_playwright,
    expect,
)

expect.set_options(timeout=WAIT_MS)


@pytest.fixture(scope="module")
async def browser() -> AsyncIterator[Browser]:
    """Debian's Chromium, headless (Playwright adds `--headless` and a fresh temporary
    `--user-data-dir`), with no background networking."""
    SHOTS.mkdir(parents=True, exist_ok=True)
    async with async_playwright() as playwright:
        launched = await playwright.chromium.launch(
            executable_path=CHROMIUM, args=CHROMIUM_FLAGS, headless=True
        )
        yield launched
        await launched.close()


@pytest.fixture
async def page(browser: Browser, running: RunningSystem) -> AsyncIterator[Page]:
    """A fresh browser context (no token kept) on the gateway's page; fails on script errors."""
    context = await browser.new_context(viewport={"width": 1280, "height": 800})
    context.set_default_timeout(WAIT_MS)
    tab = await context.new_page()
    errors: list[str] = []
    tab.on("pageerror", lambda error: errors.append(str(error)))
    await tab.goto(running.url("gateway") + "/")
    yield tab
    await context.close()
    assert not errors, errors


async def shot(page: Page, name: str) -> None:
    """Saves a screenshot of the step."""
    await page.screenshot(path=SHOTS / f"{name}.png", full_page=True)


async def sign_in(page: Page, tenant: str, role: str) -> None:
    """Signs in through the development sign-in as the tenant's admin or agent."""
    await page.get_by_label("Tenant").select_option(tenant)
    await page.get_by_label("Role").select_option(role)
    await expect(page.get_by_label("User")).to_have_value(f"{role}@{tenant}")
    await page.get_by_role("button", name="Sign in").click()
    await expect(page.get_by_role("heading", name="Phone numbers")).to_be_visible()
    await expect(page.locator("#live")).to_have_text("live")


def row(page: Page, number: str, status: str | None = None) -> Locator:
    """The list's row of a number (in a status)."""
    where = f'[data-number="{number}"]' + (f'[data-status="{status}"]' if status else "")
    return page.locator(f"#numbers-body tr{where}")


async def every_control_is_labelled(page: Page) -> list[str]:
    """Returns the controls without an accessible name (none, on a page anyone can use)."""
    found: list[str] = await page.evaluate(
        """() => [...document.querySelectorAll('input, select, textarea, button')]
            .filter((c) => !(c.labels?.length || c.getAttribute('aria-label')
                             || (c.tagName === 'BUTTON' && c.textContent.trim())))
            .map((c) => c.id || c.outerHTML.slice(0, 80))"""
    )
    return found


async def request_listed_number(page: Page) -> str:
    """Requests a listed US local number of a random area; returns it once confirmed."""
    request = page.get_by_role("button", name="Request number")
    await request.focus()
    await page.keyboard.press("Enter")  # usable by keyboard
    dialog = page.locator("#request-dialog")
    await expect(dialog.get_by_label("Country")).to_have_value("US")
    await dialog.get_by_label("Type").select_option("local")
    await expect(dialog.locator("#request-area option").nth(1)).to_be_attached()  # areas loaded
    areas = await dialog.locator("#request-area option").evaluate_all(
        "(options) => options.map((o) => o.value).filter(Boolean)"
    )
    await dialog.get_by_label("Area").select_option(random.choice(areas))
    await dialog.get_by_role("button", name="Search").click()
    offers = dialog.locator("[data-offer]")
    await expect(offers.first).to_be_visible()
    picked = offers.nth(random.randrange(await offers.count()))
    number = (await picked.locator(".offer-text").text_content() or "").strip()
    await expect(picked.locator(".badge.sms")).to_have_text("SMS")  # US local numbers take SMS
    await picked.locator("input").check()
    await dialog.get_by_role("button", name="Review").click()
    await expect(dialog.locator("#request-summary")).to_contain_text(number)
    await expect(dialog.locator("#request-summary")).to_contain_text("a month")
    await shot(page, "02-request-confirmation")
    return number


async def test_an_admin_requests_assigns_reassigns_releases_and_audits_a_number(
    page: Page, running: RunningSystem
) -> None:
    await expect(page.get_by_role("heading", name="Sign in")).to_be_visible()
    await sign_in(page, "acme", "admin")
    assert await every_control_is_labelled(page) == []
    await shot(page, "01-signed-in-as-acme-admin")

    # Request a non-KYC number and watch it become Active without reloading.
    number = await request_listed_number(page)
    dialog = page.locator("#request-dialog")
    confirmed = time.monotonic()
    await dialog.get_by_role("button", name="Confirm").click()
    await expect(row(page, number, "active")).to_be_visible()
    to_active = time.monotonic() - confirmed
    await expect(dialog.locator("#request-outcome")).to_contain_text("is Active")
    await shot(page, "03-request-active")
    await dialog.get_by_role("button", name="Close").click()
    assert running.orders_for(await _request_id(running, number)) == 1

    # A KYC number: blocked with the requirement, and the alert shows in the panel.
    unread = int(await page.locator("#alerts-count").text_content() or "0")
    await page.get_by_role("button", name="Request number").click()
    await dialog.get_by_label("Country").select_option("DE")
    await dialog.get_by_label("Type").select_option("mobile")
    await dialog.get_by_role("button", name="Search").click()
    kyc_offer = dialog.locator("[data-offer]").filter(has=page.locator(".badge.kyc")).first
    await expect(kyc_offer.locator(".kyc-text")).to_contain_text("identity")
    kyc_number = (await kyc_offer.locator(".offer-text").text_content() or "").strip()
    await kyc_offer.locator("input").check()
    await dialog.get_by_role("button", name="Review").click()
    await expect(dialog.locator("#request-kyc")).to_contain_text("Documents needed")
    await dialog.get_by_role("button", name="Confirm").click()
    await expect(dialog.locator("#request-outcome")).to_contain_text("Refused")
    await expect(dialog.locator("#request-outcome")).to_contain_text("See Alerts")
    await shot(page, "04-kyc-blocked")
    await dialog.get_by_role("button", name="Close").click()
    await expect(page.locator("#alerts-count")).not_to_have_text(str(unread))
    await page.get_by_role("button", name="Alerts").click()
    alert = page.locator("#alerts-list li").filter(has_text=kyc_number).first
    await expect(alert).to_contain_text("Documents required")
    await shot(page, "05-kyc-alert")
    before = int(await page.locator("#alerts-count").text_content() or "0")
    await alert.get_by_role("button", name="Mark read").click()
    await expect(page.locator("#alerts-count")).to_have_text(str(before - 1))
    await page.locator("#alerts-dialog").get_by_role("button", name="Close").click()

    # Assign as caller ID and ring target, then reassign, each confirmed by PortSIP.
    assign = page.locator("#assign-dialog")
    await page.get_by_role("button", name=f"Assign {number}").click()
    await assign.get_by_label("Caller ID of agent").select_option("101")
    await assign.get_by_label("Target type").select_option("queue")
    await assign.locator("#assign-target").select_option("800")
    await assign.get_by_role("button", name="Save").click()
    await expect(assign.locator("#assign-status")).to_have_text("Done: PortSIP confirmed.")
    await assign.get_by_role("button", name="Close").click()
    await expect(row(page, number)).to_contain_text("(101)")
    await expect(row(page, number)).to_contain_text("queue")
    await shot(page, "06-assigned")
    dial = number.removeprefix("+")
    assert any(c["caller_id"] == dial for c in running.routing()["caller_ids"]["101"])

    await page.get_by_role("button", name=f"Assign {number}").click()
    await assign.get_by_label("Caller ID of agent").select_option("102")
    await assign.get_by_role("button", name="Save").click()
    await expect(assign.locator("#assign-status")).to_have_text("Done: PortSIP confirmed.")
    await assign.get_by_role("button", name="Close").click()
    await expect(row(page, number)).to_contain_text("(102)")
    await shot(page, "07-reassigned")

    # Release: billing stops now, the number is not held.
    release = page.locator("#release-dialog")
    await page.get_by_role("button", name=f"Release {number}").click()
    await expect(release).to_contain_text("Billing")
    await expect(release).to_contain_text("not held for you")
    await shot(page, "08-release-confirmation")
    await release.get_by_role("button", name="Release and stop billing").click()
    await expect(release.locator("#release-status")).to_contain_text("billing stopped")
    await release.get_by_role("button", name="Close").click()
    await expect(row(page, number, "released")).to_contain_text("billing stopped")
    await shot(page, "09-released")

    # The audit view has all of it, and the CSV export too.
    await page.get_by_role("button", name="Audit log").click()
    await page.get_by_role("textbox", name="Number", exact=True).fill(number)
    wanted = {"NumberOrdered", "NumberApproved", "NumberAssigned", "NumberReassigned"}
    wanted |= {"NumberReleased"}
    rows = page.locator("#audit-body tr")

    async def recorded() -> set[str]:
        await page.locator("#audit-filters").get_by_role("button", name="Apply").click()
        return set(await rows.evaluate_all("(rows) => rows.map((r) => r.dataset.type)"))

    await eventually(lambda: _superset(recorded, wanted), timeout=SLOW, interval=0.5)
    assert await rows.filter(has_text="admin@acme").count() >= len(wanted)
    await shot(page, "10-audit")
    async with page.expect_download() as download_info:
        await page.get_by_role("button", name="Export CSV").click()
    download = await download_info.value
    saved = SHOTS / "audit.csv"
    await download.save_as(saved)
    csv = saved.read_text()
    assert number in csv and all(kind in csv for kind in wanted)
    (SHOTS / "timings.json").write_text(json.dumps({"confirm_to_active_s": round(to_active, 2)}))
    print(f"Confirm → row Active in the page: {to_active:.2f} s ({number})")


async def test_an_agent_sees_the_list_without_actions_and_another_tenant_sees_none_of_it(
    page: Page, running: RunningSystem
) -> None:
    async with running.api() as acme:
        number = await active_number(acme)
    await sign_in(page, "acme", "agent")
    await page.get_by_label("Search digits").fill(number.removeprefix("+"))
    await page.locator("#filters").get_by_role("button", name="Apply").click()
    await expect(row(page, number, "active")).to_be_visible()
    await expect(row(page, number).get_by_role("button", name="History")).to_be_visible()
    await expect(page.get_by_role("button", name="Request number")).to_be_hidden()
    await expect(page.get_by_role("button", name="Audit log")).to_be_hidden()
    await expect(page.get_by_role("button", name="Alerts")).to_be_hidden()
    assert await page.locator("#numbers-body").get_by_role("button", name="Assign").count() == 0
    assert await page.locator("#numbers-body").get_by_role("button", name="Release").count() == 0
    await shot(page, "11-agent-read-only")

    # Offline for a while: what happened meanwhile arrives once the page is back (Last-Event-ID).
    await page.context.set_offline(True)
    await page.evaluate("window.veloLive.drop()")
    await expect(page.locator("#live")).to_have_text("reconnecting…")
    async with running.api() as acme:
        put = await acme.put(f"/v1/numbers/{number}/assignment", json={"outbound_agent": "107"})
        assert put.status_code == 202
        await until_assigned(acme, number, "107")
    await expect(row(page, number)).not_to_contain_text("107")  # nothing reached it offline
    await page.context.set_offline(False)
    await expect(row(page, number)).to_contain_text("107")
    await shot(page, "12-agent-caught-up-after-offline")

    await page.get_by_role("button", name="Sign out").click()
    await sign_in(page, "globex", "admin")
    await page.get_by_label("Status").select_option("held")  # globex may have held it once
    await page.get_by_label("Search digits").fill(number.removeprefix("+"))
    await page.locator("#filters").get_by_role("button", name="Apply").click()
    await expect(page.locator("#numbers-empty")).to_be_visible()
    assert await row(page, number).count() == 0
    await shot(page, "13-other-tenant-sees-nothing")


async def _request_id(running: RunningSystem, number: str) -> str:
    async with running.api() as api:
        found = (await api.get(f"/v1/numbers/{number}")).json()
    request_id: str = found["request_id"]
    return request_id


async def _superset(read: Callable[[], Awaitable[set[str]]], wanted: set[str]) -> bool:
    return bool(wanted <= await read())


async def test_an_in_app_kyc_admin_files_documents_in_the_request_dialog_and_the_number_goes_active(
    page: Page, running: RunningSystem
) -> None:
    async with running.api("globex", "admin@globex") as globex:
        listed = (await globex.get("/v1/numbers", params={"status": "all"})).json()["items"]
    held = {row["number"] for row in listed}
    await sign_in(page, "globex", "admin")
    dialog = page.locator("#request-dialog")
    await page.get_by_role("button", name="Request number").click()
    await dialog.get_by_label("Country").select_option("DE")
    await dialog.get_by_label("Type").select_option("mobile")
    await dialog.get_by_role("button", name="Search").click()
    offers = dialog.locator("[data-offer]").filter(has=page.locator(".badge.kyc"))
    await expect(offers.first).to_be_visible()
    numbers = await offers.locator(".offer-text").all_text_contents()
    pick = next(i for i, n in enumerate(numbers) if n.strip() not in held)
    offer = offers.nth(pick)
    number = numbers[pick].strip()
    await offer.locator("input").check()
    await dialog.get_by_role("button", name="Review").click()
    form = dialog.locator(".kyc-form")
    await expect(form).to_contain_text("date of birth")  # built from DIDWW's requirement

    identity = form.get_by_role("form", name="New identity")
    await form.get_by_text("File a new identity").click()
    await identity.get_by_label("First name").fill("Erika")
    await identity.get_by_label("Last name").fill("Page")
    await identity.get_by_label("Phone (digits)").fill("4930123456")
    await identity.get_by_label("Date of birth").fill("1980-04-01")
    await identity.get_by_label("Country of birth (ISO)").fill("DE")
    await identity.get_by_role("button", name="File identity").click()
    await expect(form.locator("select[name=identity]")).to_contain_text("Erika Page")

    proof = form.get_by_role("form", name="New proof")
    await form.get_by_text("Upload a proof").click()
    await proof.get_by_label("Kind of document").select_option(label="Passport (Personal)")
    await proof.get_by_label("Document (PDF, JPEG or PNG)").set_input_files(
        files=[{"name": "passport.pdf", "mimeType": "application/pdf", "buffer": PASSPORT}]
    )
    await proof.get_by_role("button", name="Upload proof").click()
    await expect(form.locator("select[name=identity]")).to_contain_text("1 proof(s)")

    address = form.get_by_role("form", name="New address")
    await form.get_by_text("File a new address").click()
    await address.get_by_label("Street and number").fill("Hauptstr. 9")
    await address.get_by_label("Postal code").fill("10115")
    await address.get_by_label("City").fill("Berlin")
    await address.get_by_role("button", name="File address").click()
    await expect(form.locator("select[name=address]")).to_contain_text("Hauptstr. 9")
    await shot(page, "14-kyc-form-filled")

    running.auto_review(1.0)
    try:
        await dialog.get_by_role("button", name="Confirm").click()
        said = dialog.locator("#request-outcome, #request-error").filter(has_text=re.compile(r"\S"))
        await expect(said.first).to_be_visible()
        assert not await dialog.locator("#request-error").text_content()
        await expect(dialog.locator("#request-outcome")).to_contain_text("is Active")
    finally:
        running.auto_review(None)
    registering = dialog.locator('#request-steps li[data-step="registering"]')
    await expect(registering).to_be_visible()  # the regulated request showed its registration
    await expect(registering).to_have_class("done")
    await shot(page, "15-kyc-request-active")
    await dialog.get_by_role("button", name="Close").click()
    await expect(row(page, number, "active")).to_be_visible()
    await shot(page, "16-kyc-number-active")


PASSPORT = b"%PDF-1.4\n% a scanned passport\n%%EOF\n"
