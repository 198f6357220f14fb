"""Where rules live (docs/architecture.md), checked on the code itself.

- Nothing outside the step-kind registry (evidence/kinds/) branches on a step's kind.
- Templates never compare roles: views and the context processor hand them flags decided by
  milestones.rules.access.
- Every view function is at most 40 lines.
The direction between the apps is import-linter's job (`make lint`, pyproject.toml).
"""

import ast
import inspect
import re
from pathlib import Path

import pytest
from django.conf import settings
from django.urls import URLPattern, URLResolver, get_resolver

ROOT = Path(settings.BASE_DIR)
PRODUCT = ("kpi_tracker", "milestones", "evidence")
MAX_VIEW_LINES = 40


def product_files(suffix: str):
    for package in (*PRODUCT, "templates"):
        for path in sorted((ROOT / package).rglob(f"*{suffix}")):
            parts = path.relative_to(ROOT).parts
            if "tests" in parts or "migrations" in parts:
                continue
            yield path


KIND_BRANCH = re.compile(r"form_kind\s*(==|!=|\bin\b|\bnot in\b)|==\s*[\w.]*form_kind|FormKind\.")


def test_nothing_outside_the_registry_branches_on_the_step_kind():
    registry = ROOT / "evidence" / "kinds"
    offenders = [
        f"{path.relative_to(ROOT)}:{number}: {line.strip()}"
        for path in [*product_files(".py"), *product_files(".html")]
        if registry not in path.parents
        for number, line in enumerate(path.read_text(encoding="utf-8").splitlines(), start=1)
        if KIND_BRANCH.search(line)
    ]
    assert offenders == []


ROLE_CHECK = re.compile(
    r"\{%[^%]*\b(role|is_superuser|profile\.\w+|user_unit_id)\b[^%]*%\}"
    r"|\{%[^%]*==\s*[\"'](staff|reviewer|viewer|admin)[\"'][^%]*%\}"
)


def test_templates_do_not_check_roles():
    offenders = [
        f"{path.relative_to(ROOT)}:{number}: {line.strip()}"
        for path in product_files(".html")
        for number, line in enumerate(path.read_text(encoding="utf-8").splitlines(), start=1)
        if ROLE_CHECK.search(line)
    ]
    assert offenders == []


def _views(patterns=None):
    for entry in patterns if patterns is not None else get_resolver().url_patterns:
        if isinstance(entry, URLResolver):
            if entry.app_name == "admin" or entry.namespace == "admin":
                continue
            yield from _views(entry.url_patterns)
        elif isinstance(entry, URLPattern):
            view = inspect.unwrap(getattr(entry.callback, "view_class", entry.callback))
            if view.__module__.split(".")[0] in PRODUCT:
                yield view


def test_every_view_function_is_at_most_40_lines():
    long = []
    for view in set(_views()):
        if inspect.isclass(view):
            continue  # class-based views of Django's (the login page) hold no code of ours beyond settings
        source = inspect.getsource(view)
        function = ast.parse(source.lstrip()).body[0]
        length = function.end_lineno - function.lineno + 1
        if length > MAX_VIEW_LINES:
            long.append(f"{view.__module__}.{view.__name__}: {length} lines")
    assert long == []


@pytest.mark.parametrize("pattern", [KIND_BRANCH, ROLE_CHECK])
def test_the_checks_catch_what_they_look_for(pattern):
    """The patterns above are not vacuous: each matches the kind of line it exists to forbid."""
    samples = {
        KIND_BRANCH: 'if progress.step.form_kind == "review":',
        ROLE_CHECK: '{% if user_role == "staff" %}',
    }
    assert pattern.search(samples[pattern])
