"""Hypothesis fuzzing of every form of the project: random field values and random files POSTed
as a user who may use the form. Whatever arrives, the answer is never a 500.

The forms are found, not listed: for each POST URL of the access matrix, the test signs in as a
role allowed to POST there, reads every page of the matrix that role can open (every step of
the unit for step URLs), collects the <form method="post"> elements whose action is that URL,
and fuzzes their fields (text, numbers, dates, choices, checkboxes, files, formset counts).
"""

from dataclasses import dataclass, field
from html.parser import HTMLParser
from urllib.parse import urlsplit

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.test import Client
from django.urls import reverse
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from tests.fixtures import hostile
from tests.test_access_matrix import MATRIX, ROLES, World, url_for, user_for

NASTY = [
    "",
    " ",
    "0",
    "-1",
    "99999999999999999999",
    "1e308",
    "NaN",
    "null",
    "None",
    "true",
    "๑๕/๐๙/๒๕๖๓",
    "31/02/2563",
    "15/09/2563",
    "2020-09-15",
    "2020-13-45",
    "0000-00-00",
    "<script>alert(1)</script>",
    "' OR 1=1 --",
    "../../etc/passwd",
    "\x00",
    "\u202e\u200b\ufeff",
    "ก" * 1000,
    "😀" * 50,
    "%s%s%s%n",
    "{{ 7*7 }}",
]


@dataclass
class FormField:
    name: str
    kind: str  # input type, "textarea" or "select"
    options: list[str] = field(default_factory=list)


class FormParser(HTMLParser):
    """Collects forms (POST and GET apart): their action and fields (inputs, textareas, selects)."""

    def __init__(self):
        super().__init__()
        self.forms: list[tuple[str, dict[str, FormField]]] = []
        self.get_forms: list[tuple[str, dict[str, FormField]]] = []
        self._form: dict[str, FormField] | None = None
        self._select: FormField | None = None

    def handle_starttag(self, tag, attrs):
        attrs = dict(attrs)
        if tag == "form":
            self._form = {}
            method = (attrs.get("method") or "get").lower()
            (self.forms if method == "post" else self.get_forms).append((attrs.get("action") or "", self._form))
        elif self._form is not None and attrs.get("name"):
            name = attrs["name"]
            if tag == "input":
                self._form.setdefault(name, FormField(name, (attrs.get("type") or "text").lower()))
                if attrs.get("value") is not None:
                    self._form[name].options.append(attrs["value"])
            elif tag == "textarea":
                self._form.setdefault(name, FormField(name, "textarea"))
            elif tag == "select":
                self._select = self._form.setdefault(name, FormField(name, "select"))
        if tag == "option" and self._select is not None and attrs.get("value") is not None:
            self._select.options.append(attrs["value"])

    def handle_endtag(self, tag):
        if tag == "form":
            self._form = None
        elif tag == "select":
            self._select = None


def _value(form_field: FormField):
    kind = form_field.kind
    text = st.one_of(st.sampled_from(NASTY), st.text(max_size=200))
    if form_field.name.endswith(("TOTAL_FORMS", "INITIAL_FORMS", "MIN_NUM_FORMS", "MAX_NUM_FORMS")):
        return st.one_of(st.integers(-5, 2000).map(str), text)
    if kind == "file":
        names = st.sampled_from(["หลักฐาน.pdf", "a.png", "x.docx", "../../x.pdf", "ก" * 300 + ".pdf", "", "a.exe"])
        contents = st.one_of(
            st.binary(max_size=2048),
            st.sampled_from([hostile.pdf(), hostile.png(), hostile.html_with_script(), hostile.elf_executable(), b""]),
        )
        return st.lists(st.builds(lambda n, c: SimpleUploadedFile(n or "blank", c), names, contents), max_size=3)
    if kind in {"select", "radio"} and form_field.options:
        return st.one_of(st.sampled_from(form_field.options), text)
    if kind == "checkbox":
        return st.sampled_from(["on", "1", "", "off", "x" * 100, *form_field.options])
    if kind == "number":
        return st.one_of(st.integers(-(10**12), 10**12).map(str), text)
    if kind in {"date", "month"}:
        return st.one_of(st.dates().map(str), text)
    if kind == "hidden" and form_field.options:
        return st.one_of(st.just(form_field.options[0]), text)
    return text


def _body(fields: dict[str, FormField]):
    if not fields:
        return st.dictionaries(st.text(min_size=1, max_size=20), st.text(max_size=50), max_size=5)
    optional = {name: _value(f) for name, f in fields.items() if name != "csrfmiddlewaretoken"}
    return st.fixed_dictionaries({}, optional=optional)


def _accept_step_a1(world: World) -> None:
    from milestones.services import step_review

    step_review(progress=world.progress_a1_submitted, user=world.reviewer, kind="accepted")


# The state a form needs before it is shown (the reopen form exists only for an accepted step).
PREPARE = {"review-reopen": _accept_step_a1}


def _targets():
    """(URL name, role) for every POST URL that some signed-in role may use."""
    for name, row in MATRIX.items():
        statuses = row.expect.get("POST", {})
        role = next((r for r in ROLES if r != "anonymous" and statuses.get(r) in {200, 302}), None)
        if role and name not in {"home", "logout", "login"}:
            yield pytest.param(name, role, id=f"{name}-{role}")
    yield pytest.param("login", "anonymous", id="login-anonymous")


def _step_variants(world: World, name: str) -> list[str]:
    """The URL itself, and for step URLs the same URL for every step of the unit (every form kind)."""
    row = MATRIX[name]
    kwargs = row.kwargs(world) if row.kwargs else None
    if kwargs and "number" in kwargs:
        numbers = world.assessment_a.indicator.steps.values_list("number", flat=True)
        return [reverse(name, kwargs={**kwargs, "number": n}) for n in numbers]
    return [url_for(world, name)]


def _forms_for(client: Client, world: World, role: str, urls: list[str]) -> dict[str, dict[str, FormField]]:
    """Fields of the POST forms (found on the pages the role can open) that post to each URL."""
    pages = []
    for page_name, row in MATRIX.items():
        if row.expect["GET"].get(role) == 200:
            pages.extend(_step_variants(world, page_name))
    found: dict[str, dict[str, FormField]] = {url: {} for url in urls}
    for page in pages:
        response = client.get(page)
        if response.status_code != 200 or not response.get("Content-Type", "").startswith("text/html"):
            continue
        parser = FormParser()
        parser.feed(response.content.decode())
        for action, fields in parser.forms:
            target = urlsplit(action).path or page
            if target in found:
                found[target].update(fields)
    return found


@pytest.mark.parametrize("name, role", list(_targets()))
def test_no_form_input_gives_a_server_error(cast, before_deadline, name, role):
    world = World(cast)
    client = Client()
    user = user_for(world, role)
    if user is not None:
        client.force_login(user)
    urls = _step_variants(world, name)
    if name in PREPARE:
        PREPARE[name](world)
    forms = _forms_for(client, world, role, urls)
    assert any(forms.values()), f"no page has a form posting to {name}: the fuzzer would be blind"

    @settings(
        max_examples=20,
        deadline=None,
        derandomize=True,
        database=None,
        suppress_health_check=[HealthCheck.function_scoped_fixture, HealthCheck.too_slow, HealthCheck.data_too_large],
    )
    @given(data=st.data())
    def fuzz(data):
        url = data.draw(st.sampled_from(urls), label="url")
        body = data.draw(_body(forms[url]), label="body")
        response = client.post(url, body)
        assert response.status_code < 500, f"POST {url} as {role}: {response.status_code}"

    fuzz()


# Filters and searches (GET forms: the review queue, the dashboard, the audit log) get the same
# treatment. Pages that are not HTML (PDFs, spreadsheets) are left out: their parameters are
# few and each render is slow.
FILTER_NAMES = ["q", "kind", "status", "step", "unit", "user", "action", "from", "to", "date_from", "date_to", "page"]


def _pages():
    for name, row in MATRIX.items():
        role = next((r for r in ("reviewer", "own") if row.expect["GET"].get(r) == 200), None)
        if role and name not in {"healthz"}:
            yield pytest.param(name, role, id=f"{name}-{role}")


@pytest.mark.parametrize("name, role", list(_pages()))
def test_no_query_string_gives_a_server_error(cast, before_deadline, name, role):
    world = World(cast)
    client = Client()
    client.force_login(user_for(world, role))
    url = url_for(world, name)
    first = client.get(url)
    if not first.get("Content-Type", "").startswith("text/html"):
        return
    parser = FormParser()
    parser.feed(first.content.decode())
    fields: dict[str, FormField] = {n: FormField(n, "text") for n in FILTER_NAMES}
    for action, form_fields in parser.get_forms:
        if (urlsplit(action).path or url) == url:
            fields.update(form_fields)

    @settings(
        max_examples=10,
        deadline=None,
        derandomize=True,
        database=None,
        suppress_health_check=[HealthCheck.function_scoped_fixture, HealthCheck.too_slow],
    )
    @given(params=st.fixed_dictionaries({}, optional={n: _value(f) for n, f in fields.items() if f.kind != "file"}))
    def fuzz(params):
        response = client.get(url, params)
        assert response.status_code < 500, f"GET {url}?{params} as {role}: {response.status_code}"

    fuzz()


def test_found_by_fuzzing_a_dashboard_search_matching_nothing_is_an_empty_page(cast, login):
    response = login(cast.reviewer).get(reverse("overview"), {"q": "ไม่มีหน่วยงานนี้"})
    assert response.status_code == 200
