"""The web page in headless Chromium (Debian's chromium, driven by Playwright): one flow per
role — job seeker, employer, issuer — plus the language switch and keyboard use.

Marked ``browser``; skipped when /usr/bin/chromium is absent, except under CI (CI=true), where
a missing browser is a failure: .ci/run installs it.
"""

from __future__ import annotations

import os
import shutil
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import httpx
import pytest

from api.main import create_app
from matcher import Engine
from tests.api.conftest import LiveServer, api_settings, credential_doc, make_keys

pytestmark = pytest.mark.browser

CHROMIUM = os.environ.get("MATCHER_CHROMIUM", "/usr/bin/chromium")
ARGS = ["--headless", "--no-sandbox", "--disable-gpu", "--disable-quic", "--no-first-run",
        "--disable-background-networking", "--disable-component-update", "--disable-sync"]


@pytest.fixture(scope="module")
def browser() -> Iterator[Any]:
    if not shutil.which(CHROMIUM):
        message = (f"{CHROMIUM} not found; install Debian's chromium "
                   "(apt-get install -y chromium chromium-driver)")
        if os.environ.get("CI"):
            pytest.fail(message)
        pytest.skip(message)
    from playwright.sync_api import sync_playwright

    with sync_playwright() as p:
        browser = p.chromium.launch(executable_path=CHROMIUM, args=ARGS, headless=True)
        yield browser
        browser.close()


@pytest.fixture()
def site(engine: Engine, tmp_path: Path) -> Iterator[tuple[str, dict[str, str]]]:
    app = create_app(engine=engine, settings=api_settings(engine, tmp_path / "svc"))
    with LiveServer(app) as server:
        yield server.url, dict(make_keys(app.state.store))


@pytest.fixture()
def page(browser: Any) -> Iterator[Any]:
    context = browser.new_context(locale="sv-SE")
    page = context.new_page()
    page.set_default_timeout(10_000)
    yield page
    context.close()


def sign_in(page: Any, url: str, key: str) -> None:
    page.goto(url + "/")
    page.get_by_role("textbox", name="API-nyckel").fill(key)
    page.get_by_role("button", name="Logga in").click()
    page.locator("#whoami").wait_for()  # signed in: the role's view is shown


def wait_for_options(page: Any, datalist: str) -> None:
    """Wait until the autocomplete list has options; say what the page showed if it does not."""
    try:
        # Locators, not a JavaScript predicate: the page's CSP forbids eval, which
        # wait_for_function needs when it has to poll.
        page.locator(f"#{datalist} option").first.wait_for(state="attached")
    except Exception as exc:
        state = page.evaluate("""(id) => ({status: document.querySelector('#status').textContent,
            inputs: [...document.querySelectorAll('input[list]')].map(i => [i.id, i.value]),
            role: document.querySelector('#whoami').textContent})""", datalist)
        raise AssertionError(f"no options in #{datalist}; page state: {state}") from exc


def issue(url: str, key: str, cid: str = "urn:test:cred:web") -> dict[str, Any]:
    r = httpx.post(url + "/v1/credentials", json={"kind": "issued", "document":
                                                   credential_doc(cid)},
                   headers={"X-API-Key": key})
    assert r.status_code == 201, r.text
    return r.json()


def findable_seeker_then_employer(page: Any, url: str, keys: dict[str, str]) -> dict[str, str]:
    """A job seeker who consents to be found and holds the issued forklift credential; the
    page signed in as the employer. Returns the job seeker's headers."""
    claim = issue(url, keys["issuer"])["claim_code"]
    h = {"X-API-Key": keys["job_seeker"]}
    httpx.post(url + "/v1/me/candidate", json={"consent": True}, headers=h)
    httpx.post(url + "/v1/me/candidate/credentials", json={"claim_code": claim}, headers=h)
    sign_in(page, url, keys["employer"])
    return h


def test_job_seeker_flow(page: Any, site: tuple[str, dict[str, str]], tmp_path: Path) -> None:
    url, keys = site
    claim = issue(url, keys["issuer"])["claim_code"]
    sign_in(page, url, keys["job_seeker"])
    page.get_by_text("Du har ingen profil än.").wait_for()
    page.locator("#js-create").get_by_label("Arbetsgivare får hitta min profil").check()
    page.get_by_role("button", name="Skapa min profil").click()
    page.get_by_label("Kod från utfärdaren").fill(claim)
    page.get_by_label("Kod från utfärdaren").press("Enter")  # keyboard submits
    page.get_by_text("Mikromeriten är tillagd.").wait_for()
    assert page.locator("#js-credentials").get_by_text("Truckkörning A och B").is_visible()
    assert page.locator("#js-credentials .badge.verified").is_visible()
    assert page.locator("#js-skills").get_by_text("köra gaffeltruck").is_visible()
    page.get_by_label("Vad vill du arbeta med? (frivilligt)").fill("gaffeltruck")
    page.get_by_role("button", name="Visa förslag").click()
    page.locator("#js-suggestions").get_by_text("truckförare").first.wait_for()
    # The page shows the suggestions the API gives, in the same order (one path).
    api = httpx.get(url + "/v1/me/suggestions", params={"interest": "gaffeltruck"},
                    headers={"X-API-Key": keys["job_seeker"]}).json()
    shown = page.locator("#js-suggestions .card h4").all_inner_texts()
    assert shown == [s["title"] for s in (*api["occupations"], *api["ads"])]
    assert page.locator("#js-suggestions .why").first.is_visible()  # what it rests on
    page.screenshot(path=str(tmp_path / "job-seeker.png"), full_page=True)
    # English
    page.get_by_role("button", name="English").click()
    assert page.get_by_role("heading", name="My profile", exact=True).is_visible()
    assert page.evaluate("document.documentElement.lang") == "en"


def test_employer_flow(page: Any, site: tuple[str, dict[str, str]]) -> None:
    url, keys = site
    h = findable_seeker_then_employer(page, url, keys)
    page.get_by_label("Valda kompetenser").check()
    skill = page.get_by_label("Kompetens (skriv för att söka)")
    skill.press_sequentially("gaffeltruck", delay=20)
    wait_for_options(page, "em-skill-list")
    skill.fill("köra gaffeltruck")
    page.get_by_role("button", name="Lägg till kompetens").click()
    page.locator("#em-picked").get_by_label("Måste finnas").check()
    page.get_by_role("button", name="Sök kandidater").click()
    card = page.locator("#em-results .card").first
    card.wait_for()
    assert "100 %" in card.inner_text() and "Har alla måste-kompetenser" in card.inner_text()
    assert "styrker 1 av jobbets 1 kärnkompetenser" in card.inner_text()
    card.get_by_role("button", name="Visa profil").click()
    page.locator("#em-candidate").get_by_text("köra gaffeltruck").wait_for()
    audit = httpx.get(url + "/v1/me/audit", headers=h).json()
    assert [a["action"] for a in audit] == ["profile_view", "candidate_search"]


def test_employer_sees_missing_skills_by_name(page: Any, site: tuple[str, dict[str, str]],
                                              tmp_path: Path) -> None:
    url, keys = site
    findable_seeker_then_employer(page, url, keys)
    page.get_by_label("Valda kompetenser").check()
    skill = page.get_by_label("Kompetens (skriv för att söka)")
    for typed, label in (("gaffeltruck", "köra gaffeltruck"), ("svetsa", "MAG-svetsa")):
        skill.fill("")
        skill.press_sequentially(typed, delay=20)
        wait_for_options(page, "em-skill-list")
        skill.fill(label)
        page.get_by_role("button", name="Lägg till kompetens").click()
    page.get_by_role("button", name="Sök kandidater").click()
    card = page.locator("#em-results .card").first
    card.wait_for()
    # The answer lists a candidate's missing skills by URI; the page names them.
    card.get_by_text("Saknas: MAG-svetsa").wait_for()
    assert "http" not in card.inner_text()
    # Nothing absent is written out (a search from a skill list has no ad requirements).
    assert "null" not in page.locator("#em-results").inner_text()
    page.screenshot(path=str(tmp_path / "employer-missing.png"), full_page=True)


def test_employer_by_occupation(page: Any, site: tuple[str, dict[str, str]]) -> None:
    url, keys = site
    sign_in(page, url, keys["employer"])
    occupation = page.get_by_label("Yrke (skriv för att söka)")
    occupation.press_sequentially("truck", delay=20)
    wait_for_options(page, "em-occupation-list")
    occupation.fill("truckförare")
    page.get_by_role("button", name="Sök kandidater").click()
    page.get_by_text("Inga kandidater hittades.").wait_for()


def test_employer_reads_why_a_course_named_for_the_job_ranks_higher(
        page: Any, site: tuple[str, dict[str, str]], tmp_path: Path) -> None:
    url, keys = site
    findable_seeker_then_employer(page, url, keys)
    occupation = page.get_by_label("Yrke (skriv för att söka)")
    occupation.press_sequentially("truck", delay=20)
    wait_for_options(page, "em-occupation-list")
    occupation.fill("truckförare")
    page.get_by_role("button", name="Sök kandidater").click()
    card = page.locator("#em-results .card").first
    card.wait_for()
    # The card says which course lifted the candidate; the percentage stays the coverage.
    card.get_by_text("Högre i listan: utbildningen ”Truckkörning A och B” är inriktad på "
                     "yrket").wait_for()
    assert "100 % styrker 2 av jobbets 2 kärnkompetenser" in card.inner_text()
    page.screenshot(path=str(tmp_path / "employer-title.png"), full_page=True)
    page.get_by_role("button", name="English").click()
    page.get_by_role("button", name="Search candidates").click()
    page.locator("#em-results .card").first.get_by_text(
        "Ranked higher: the credential “Truckkörning A och B” is named for this "
        "occupation").wait_for()


def test_issuer_reviews_links(page: Any, site: tuple[str, dict[str, str]]) -> None:
    url, keys = site
    cred = issue(url, keys["issuer"])
    first = cred["links"][0]
    sign_in(page, url, keys["issuer"])
    page.get_by_role("heading", name="Truckkörning A och B", exact=True).wait_for()
    # the title is read like an outcome: its links are reviewed too (outcome_index -1)
    page.get_by_role("heading", name="Titel: Truckkörning A och B").wait_for()
    page.get_by_role("button", name=f"Godkänn: {first['label']}").first.click()
    page.get_by_text("Sparat.").wait_for()
    got = httpx.get(f"{url}/v1/credentials/{cred['id']}",
                    headers={"X-API-Key": keys["issuer"]}).json()
    assert next(lk for lk in got["links"] if lk["id"] == first["id"])["state"] == "confirmed"
    assert page.locator(".badge.confirmed").first.is_visible()


def test_employer_sees_what_an_ad_was_read_as_and_removes_a_skill(
        page: Any, site: tuple[str, dict[str, str]]) -> None:
    url, keys = site
    findable_seeker_then_employer(page, url, keys)
    page.locator("input[name=em-source][value=ad]").check()
    page.get_by_role("textbox", name="Annonstext").fill(
        "Vi är ett växande lager i Malmö.\nVi söker dig som har\n- operate forklift\n"
        "- read engineering drawings\nVi erbjuder\nKollektivavtal och friskvård.")
    page.get_by_role("button", name="Sök kandidater").click()
    read = page.locator("#em-results details")
    read.get_by_text("read engineering drawings").first.wait_for()
    # No must-haves were named: no must-have badge.
    assert "måste-kompetens" not in page.locator("#em-results ol").inner_text()
    read.locator("li", has_text="read engineering drawings").get_by_role("button").click()
    page.locator("#em-results details", has_text="read engineering drawings").wait_for(
        state="detached")
    assert "operate forklift" in page.locator("#em-results details").inner_text()


def test_job_seeker_uploads_from_a_wallet(page: Any, site: tuple[str, dict[str, str]],
                                          tmp_path: Path) -> None:
    """A signed badge is shown as "verifierad av <issuer>"; a tampered one says why not."""
    import json

    url, keys = site
    cred = issue(url, keys["issuer"], "urn:test:cred:wallet")
    badge = httpx.post(f"{url}/v1/credentials/{cred['id']}/export",
                       headers={"X-API-Key": keys["issuer"]}).json()
    (tmp_path / "badge.json").write_text(json.dumps(badge), encoding="utf-8")
    badge["credentialSubject"]["id"] = "urn:test:learner:someone-else"
    (tmp_path / "tampered.json").write_text(json.dumps(badge), encoding="utf-8")
    sign_in(page, url, keys["job_seeker"])
    page.get_by_role("button", name="Skapa min profil").click()
    page.get_by_label("Välj filen (.json)").set_input_files(str(tmp_path / "tampered.json"))
    page.get_by_role("button", name="Ladda upp och kontrollera").click()
    page.get_by_text("Kunde inte läggas till. Skäl: the signature does not match").wait_for()
    page.get_by_label("Välj filen (.json)").set_input_files(str(tmp_path / "badge.json"))
    page.get_by_role("button", name="Ladda upp och kontrollera").click()
    page.get_by_text("Tillagd: verifierad av Komvux Testby").wait_for()
    assert page.locator("#js-credentials").get_by_text("verifierad av Komvux Testby").is_visible()
    page.screenshot(path=str(tmp_path / "wallet.png"), full_page=True)
    page.get_by_role("button", name="English").click()
    page.locator("#js-credentials").get_by_text("verified by Komvux Testby").wait_for()


def test_api_docs_render_offline(page: Any, site: tuple[str, dict[str, str]]) -> None:
    """/docs draws the API from the service's own files: every request to another host is
    refused, as on a deployment without internet, and the page still lists the routes
    (issue 13)."""
    url, _ = site
    elsewhere: list[str] = []

    def only_local(route: Any) -> None:
        if route.request.url.startswith(url):
            route.continue_()
        else:
            elsewhere.append(route.request.url)
            route.abort()

    page.route("**/*", only_local)
    errors: list[str] = []
    page.on("console", lambda m: errors.append(m.text) if m.type == "error" else None)
    page.goto(url + "/docs")
    page.locator(".swagger-ui .opblock").first.wait_for()
    assert page.locator(".swagger-ui .opblock").count() > 30
    assert page.get_by_text("/v1/search").first.is_visible()
    assert elsewhere == [] and errors == [], (elsewhere, errors)
