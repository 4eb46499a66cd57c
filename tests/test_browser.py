"""The search pages in a real browser (Playwright driving Debian's chromium) against a real
`timtin serve`: typing a query, ticking facets, chips, pagination and the back button,
the article page, hostile input, a phone-sized screen, no JavaScript, and no request ever
leaving 127.0.0.1. Screenshots of the main states go to tests/artifacts/."""
from __future__ import annotations

import json
import re
import shutil
import urllib.parse
from pathlib import Path

import pytest

playwright_sync = pytest.importorskip("playwright.sync_api")

CHROMIUM = "/usr/bin/chromium"
ARTIFACTS = Path(__file__).resolve().parent / "artifacts"

if not shutil.which(CHROMIUM):
    pytest.skip("Debian chromium is not installed", allow_module_level=True)


@pytest.fixture(scope="session")
def browser():
    ARTIFACTS.mkdir(exist_ok=True)
    with playwright_sync.sync_playwright() as p:
        b = p.chromium.launch(executable_path=CHROMIUM, args=[
            "--no-sandbox", "--disable-gpu", "--disable-background-networking"])
        yield b
        b.close()


class Tab:
    """A browser page that records every request and dialog."""

    def __init__(self, browser, server, **context_options):
        self.server = server
        self.context = browser.new_context(viewport=context_options.pop("viewport", {"width": 1440, "height": 900}),
                                           locale="vi-VN", **context_options)
        self.context.set_default_timeout(10_000)
        self.requests: list[str] = []
        self.dialogs: list[str] = []
        self.errors: list[str] = []
        self.context.on("request", lambda r: self.requests.append(r.url))
        self.page = self.context.new_page()
        self.page.on("dialog", lambda d: (self.dialogs.append(d.message), d.dismiss()))
        self.page.on("pageerror", lambda e: self.errors.append(str(e)))

    def goto(self, path: str, params=None):
        url = self.server.url + path
        if params:
            url += "?" + urllib.parse.urlencode(params, doseq=True)
        response = self.page.goto(url)
        return response

    def params(self) -> list[tuple[str, str]]:
        return urllib.parse.parse_qsl(urllib.parse.urlsplit(self.page.url).query)

    def hit_ids(self) -> list[str]:
        hrefs = self.page.locator(".hit-title a").evaluate_all("els => els.map(e => e.pathname)")
        return [urllib.parse.unquote(h[len("/article/"):]) for h in hrefs]

    def api(self, params=None) -> dict:
        status, data = self.server.get_json("/api/search", params if params is not None else self.params())
        assert status == 200
        return data

    def shot(self, name: str, full_page: bool = False):
        self.page.screenshot(path=str(ARTIFACTS / f"{name}.png"), full_page=full_page)

    def close(self):
        self.context.close()
        outside = [u for u in self.requests
                   if not u.startswith(("data:", "about:", "blob:"))
                   and urllib.parse.urlsplit(u).hostname != "127.0.0.1"]
        assert not outside, f"requests left 127.0.0.1: {outside}"
        assert not self.errors, f"JavaScript errors: {self.errors}"


@pytest.fixture()
def tab(browser, server):
    t = Tab(browser, server)
    yield t
    t.close()


def checkbox(page, name: str, value: str):
    return page.locator(f'input[type=checkbox][name="{name}"][value={json.dumps(value, ensure_ascii=False)}]')


def test_type_query_and_press_enter(tab):
    tab.goto("/")
    page = tab.page
    assert page.evaluate("document.activeElement.id") == "q"  # autofocus
    assert page.locator("html").get_attribute("lang") == "vi"
    tab.shot("01-home")
    page.keyboard.type("công an")
    with page.expect_navigation():
        page.keyboard.press("Enter")
    assert ("q", "công an") in tab.params()
    api = tab.api()
    assert api["total"] > 10
    assert tab.hit_ids() == [h["id"] for h in api["hits"]]
    assert page.locator("#q").input_value() == "công an"
    count = page.locator("#results-title b").inner_text()
    assert int(count.replace(".", "")) == api["total"]
    assert page.locator(".hit-title mark").count() > 0
    assert page.locator(".chart-svg a").count() > 0
    tab.shot("02-results")


def test_tick_two_agencies_then_remove_chip(tab):
    page = tab.page
    tab.goto("/", {"q": "công an"})
    agencies = [a["value"] for a in tab.api()["facets"]["agency"] if a["count"] >= 2][:2]
    assert len(agencies) == 2
    for agency in agencies:
        with page.expect_navigation():
            checkbox(page, "agency", agency).click()  # JavaScript submits on tick
    assert [v for k, v in tab.params() if k == "agency"] == agencies
    api = tab.api()
    assert api["total"] > 0
    assert tab.hit_ids() == [h["id"] for h in api["hits"]]
    assert int(page.locator("#results-title b").inner_text().replace(".", "")) == api["total"]
    shown = {a["value"]: a["count"] for a in api["facets"]["agency"]}
    for agency in agencies:
        box = checkbox(page, "agency", agency)
        assert box.is_checked()
        count = box.locator("xpath=..").locator(".count").inner_text()
        assert int(count.replace(".", "")) == shown[agency]
    chips = page.locator("a.chip")
    assert chips.count() == 2
    tab.shot("03-two-agencies")

    with page.expect_navigation():
        chips.first.click()
    assert [v for k, v in tab.params() if k == "agency"] == agencies[1:]
    assert tab.hit_ids() == [h["id"] for h in tab.api()["hits"]]
    assert not checkbox(page, "agency", agencies[0]).is_checked()

    page.go_back()
    assert [v for k, v in tab.params() if k == "agency"] == agencies
    assert page.locator("a.chip").count() == 2

    with page.expect_navigation():
        page.get_by_role("link", name="Xoá tất cả").click()
    assert tab.params() == [("q", "công an")]


def test_pagination_and_back(tab):
    page = tab.page
    tab.goto("/", {"q": "công an"})
    first = tab.hit_ids()
    with page.expect_navigation():
        page.locator(".pagination").get_by_role("link", name="2", exact=True).click()
    assert ("page", "2") in tab.params()
    second = tab.hit_ids()
    assert second == [h["id"] for h in tab.api()["hits"]]
    assert not set(first) & set(second)
    assert page.locator('.pagination [aria-current="page"]').inner_text() == "2"
    tab.shot("04-page-2")
    page.go_back()
    assert tab.hit_ids() == first
    page.go_forward()
    assert tab.hit_ids() == second


def test_sort_and_date_range(tab):
    page = tab.page
    tab.goto("/", {"q": "công an"})
    with page.expect_navigation():
        page.locator(".sort").get_by_role("link", name="Mới nhất").click()
    assert ("sort", "newest") in tab.params()
    api = tab.api()
    assert tab.hit_ids() == [h["id"] for h in api["hits"]]
    year = max(api["facets"]["year"], key=lambda y: y["count"])["value"]
    page.fill("#date_from", year)
    page.fill("#date_to", year)
    with page.expect_navigation():
        page.press("#date_to", "Enter")
    params = tab.params()
    assert ("date_from", year) in params and ("date_to", year) in params and ("sort", "newest") in params
    assert "" not in [v for _, v in params]  # empty fields are left out of the URL
    assert tab.hit_ids() == [h["id"] for h in tab.api()["hits"]]
    # The chart now shows months; a bar narrows the range to its month.
    bar = page.locator(".chart-svg a").first
    label = bar.get_attribute("aria-label")
    assert label.startswith("Tháng ")
    with page.expect_navigation():
        bar.click()
    params = dict(tab.params())
    assert params["date_from"] == params["date_to"] and len(params["date_from"]) == 7
    assert int(re.search(r": ([\d.]+) bài", label).group(1).replace(".", "")) == tab.api()["total"]
    assert page.locator(".month-list .is-selected").count() == 1
    tab.shot("05-month")


def test_article_and_related(tab):
    page = tab.page
    tab.goto("/", {"q": "nghi can"})
    title = page.locator(".hit-title a").first
    with page.expect_navigation():
        title.click()
    assert page.url.startswith(tab.server.url + "/article/")
    assert page.locator("h1").count() == 1
    assert page.locator(".article-body mark").count() > 0
    assert page.get_by_role("heading", name="Bài liên quan").is_visible()
    related = page.locator(".related-list a")
    assert 1 <= related.count() <= 5
    tab.shot("06-article", full_page=True)
    first_url = page.url
    with page.expect_navigation():
        related.first.click()
    assert page.url != first_url and "/article/" in page.url
    assert page.locator(".article-body p").count() > 0
    # "/" focuses the search box on a page without autofocus.
    page.locator("body").click(position={"x": 5, "y": 300})
    page.keyboard.press("/")
    assert page.evaluate("document.activeElement.id") == "q"
    # An agency of the article is a filter link.
    agency = page.locator(".article-side .tag-agency").first
    if agency.count():
        name = agency.inner_text()
        with page.expect_navigation():
            agency.click()
        assert ("agency", name) in tab.params()


def test_unaccented_query(tab):
    page = tab.page
    tab.goto("/")
    page.fill("#q", "cong an lam dong")
    with page.expect_navigation():
        page.press("#q", "Enter")
    api = tab.api()
    accented = tab.api({"q": "công an lâm đồng"})
    assert api["total"] > 0 and api["total"] == accented["total"]
    assert tab.hit_ids() == [h["id"] for h in api["hits"]]
    marks = page.locator(".hit mark").all_inner_texts()
    # Whole words are marked, in any of their written forms.
    assert any(m.lower() in ("công an", "lâm đồng") for m in marks), marks
    assert tab.page.locator(".interpretation").inner_text().startswith("Kết quả cho:")


def test_script_query_is_text(tab):
    page = tab.page
    tab.goto("/")
    evil = '<script>alert("x")</script><img src=x onerror=alert(1)>'
    page.fill("#q", evil)
    with page.expect_navigation():
        page.press("#q", "Enter")
    page.wait_for_load_state("load")
    assert tab.dialogs == []
    assert page.locator("#q").input_value() == evil
    assert page.evaluate("document.querySelectorAll('script').length") == 1
    assert page.evaluate("[...document.scripts].every(s => s.src.endsWith('/static/app.js'))")
    assert page.locator("img").count() == 0
    assert evil in page.locator("main").inner_text()
    tab.shot("07-hostile-query")


def test_phone_width(browser, server):
    t = Tab(browser, server, viewport={"width": 375, "height": 812}, is_mobile=True,
            has_touch=True, device_scale_factor=2)
    try:
        page = t.page
        t.goto("/", {"q": "công an"})
        assert page.evaluate("document.documentElement.scrollWidth") <= 375
        filters = page.locator("details.filters")
        assert filters.get_attribute("open") is None
        assert not page.locator(".facet-agency").is_visible()
        # The filters sit above the results.
        assert filters.bounding_box()["y"] < page.locator(".hit").first.bounding_box()["y"]
        t.shot("08-phone")
        page.locator("details.filters > summary").click()
        assert page.locator(".facet-agency").is_visible()
        t.shot("09-phone-filters")
        page.locator("details.filters > summary").click()
        with page.expect_navigation():
            page.locator(".hit-title a").first.click()
        assert page.evaluate("document.documentElement.scrollWidth") <= 375
        t.shot("10-phone-article")
    finally:
        t.close()


def test_works_without_javascript(browser, server):
    t = Tab(browser, server, java_script_enabled=False)
    try:
        page = t.page
        t.goto("/", {"q": "công an"})
        agency = t.api()["facets"]["agency"][0]["value"]
        checkbox(page, "agency", agency).check()  # nothing happens without JavaScript…
        assert ("agency", agency) not in t.params()
        with page.expect_navigation():
            page.get_by_role("button", name="Áp dụng bộ lọc").click()  # …until applied
        assert ("agency", agency) in t.params() and ("q", "công an") in t.params()
        assert t.hit_ids() == [h["id"] for h in t.api()["hits"]]
        with page.expect_navigation():
            page.locator("a.chip").first.click()
        assert ("agency", agency) not in t.params()
    finally:
        t.close()


def test_error_pages_in_browser(tab):
    page = tab.page
    response = tab.goto("/", {"q": "x", "date_from": "2017-13-45"})
    assert response.status == 400
    assert page.get_by_role("heading", name="Yêu cầu không hợp lệ").is_visible()
    tab.shot("11-error-400")
    response = tab.goto("/article/khong-co-bai-nay")
    assert response.status == 404
    assert "Không tìm thấy" in page.locator("h1").inner_text()


def test_empty_state(tab):
    page = tab.page
    tab.goto("/", {"q": "công an", "date_from": "1990", "date_to": "1991"})
    assert page.locator(".empty").is_visible()
    link = page.locator(".empty-options a").first
    with page.expect_navigation():
        link.click()
    assert tab.api()["total"] > 0 and "date_from" not in dict(tab.params())
    tab.goto("/", {"q": "Lâm Đồnh"})
    suggestion = tab.api()["suggestion"]
    assert suggestion
    assert page.locator(".suggestion a").inner_text() == suggestion
    tab.shot("12-suggestion")
