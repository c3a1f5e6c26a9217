"""Any answer copier.yml accepts renders a project that parses, compiles and passes ruff.

hypothesis varies the free-text answers (project names of 1 to 60 characters with letters
outside ASCII, digits and punctuation; a package name given apart; descriptions and author
names with quotes, backslashes, Jinja braces, '#' and ':'; emails) together with every
question that has a closed set of values, spelled as a user may spell them on the command line.
Each example is rendered through copier's API into its own folder and checked there: every
TOML, YAML and JSON file parses and gives the answers back, every .py compiles, and the wizard
resolves exactly the answers copier recorded (the wizard hands those answers to the same
`run_copy`, so equal answers mean equal trees; a few awkward answer sets below also compare
the trees the wizard's CLI and `copier copy` write). One ruff run then formats and lints every
render at once.

Under CI=true the examples are derandomized (the same 200 every run); elsewhere they are
random, so every local run explores new answers. A failure hypothesis finds becomes an
ordinary test below, next to the others that pin a problem once found.
"""

from __future__ import annotations

import json
import os
import re
import subprocess
import tomllib
from collections.abc import Callable, Iterator, Mapping
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import copier
import pytest
import yaml
from copier._tools import cast_to_bool, cast_to_str
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from generator import questions
from generator.prompts import gather

from .driving import new, tree
from .project import AWKWARD_ANSWERS, FULL_FEATURED, RUFF, render

QUESTIONNAIRE = questions.load()
EXAMPLES = int(os.environ.get("HYPOTHESIS_EXAMPLES", "200"))
ON_CI = os.environ.get("CI") == "true"
PROFILE = settings(
    max_examples=EXAMPLES,
    deadline=None,
    derandomize=ON_CI,
    suppress_health_check=[HealthCheck.too_slow, HealthCheck.data_too_large],
)
if ON_CI:  # the same examples every run, and no example database left behind
    PROFILE = settings(PROFILE, database=None)

# Fragments that break a file format when pasted in unescaped.
AWKWARD = [
    '"', "'", "\\", '"""', "{{ project_name }}", "{% if x %}", "{#", "#", ":", ": ", "- ", "&a",
    "*a", "!tag", "|", ">", "%", "@", "`", "${{ github.token }}", "[x]", "{", "}", "\\n",
    "\\u0041", "ü", "Ω", "東京", "🙂", " ", "—", "\u00a0",
]  # fmt: skip
PRINTABLE = st.characters(exclude_categories=("Cc", "Cs", "Zl", "Zp"))
FREE_TEXT = st.lists(
    st.one_of(st.sampled_from(AWKWARD), st.text(PRINTABLE, max_size=8)), max_size=12
).map("".join)
NAME_CHARACTERS = st.characters(categories=("L", "Nd", "P", "S", "Zs"), exclude_characters="\t")
HAS_LETTER = re.compile(r"[^\W\d_]")
PROJECT_NAMES = st.text(NAME_CHARACTERS, min_size=1, max_size=60).filter(
    lambda name: bool(name.strip()) and bool(HAS_LETTER.search(name))
)
YES_NO = {True: ["t", "true", "Yes", " ON ", "1", "y"], False: ["f", "false", "No", "off", "0", ""]}


def error_for(question: str, value: Any, answers: Mapping[str, Any] | None = None) -> str:
    """The validator's message for `value`, empty when copier.yml accepts it."""
    validator = QUESTIONNAIRE[question].validator or ""
    return str(QUESTIONNAIRE.render(validator, {**(answers or {}), question: value})).strip()


PACKAGE_NAMES = st.from_regex(r"[a-z][a-z0-9_]{0,39}", fullmatch=True).filter(
    lambda name: not error_for("package_name", name)
)
EMAILS = st.emails().filter(lambda email: not error_for("author_email", email))


def spelled(question: questions.Question) -> st.SearchStrategy[Any]:
    """Every value of a closed question, as Python values and as command-line strings."""
    if question.type == "bool":
        return st.sampled_from([True, False, *YES_NO[True], *YES_NO[False]])
    return st.sampled_from(question.values())


CLOSED = {q.name: spelled(q) for q in QUESTIONNAIRE.asked if q.choices or q.type == "bool"}
RATES = st.one_of(
    st.floats(min_value=0, max_value=1_000_000, allow_nan=False),
    st.sampled_from(["0", "2.5", "1e3", " 7 ", "1_000", "0.001"]),
)


@st.composite
def answer_sets(draw: st.DrawFn) -> dict[str, Any]:
    """Answers as `--data` would give them: the project name, then any other question."""
    given: dict[str, Any] = {"project_name": draw(PROJECT_NAMES)}
    optional: dict[str, st.SearchStrategy[Any]] = {
        "package_name": PACKAGE_NAMES,
        "description": FREE_TEXT,
        "author_name": FREE_TEXT,
        "author_email": EMAILS,
        "example_rate": RATES,
        **CLOSED,
    }
    for name, strategy in optional.items():
        if draw(st.booleans()):
            given[name] = draw(strategy)
    if given.get("work_source") == "redis-streams" and not cast_to_bool(given.get("redis", True)):
        del given["redis"]  # refused by both; test_copier_and_the_wizard_both_refuse_... covers it
    return given


@dataclass
class Renders:
    """The folders rendered so far, by the answers that made each."""

    root: Path
    made: dict[Path, dict[str, Any]] = field(default_factory=dict)

    def next(self, answers: dict[str, Any]) -> Path:
        folder = self.root / f"r{len(self.made):04d}"
        self.made[folder] = answers
        return folder


def recorded_answers(project: Path) -> dict[str, Any]:
    data = yaml.safe_load((project / ".copier-answers.yml").read_text(encoding="utf-8"))
    return {key: value for key, value in data.items() if not key.startswith("_")}


def parse_every_file(project: Path) -> Iterator[str]:
    """Parse each TOML, YAML, JSON and Python file; yield the relative path of each."""
    for path in sorted(project.rglob("*")):
        if not path.is_file():
            continue
        text = path.read_text(encoding="utf-8")
        name = path.relative_to(project).as_posix()
        if path.suffix == ".toml":
            tomllib.loads(text)
        elif path.suffix in {".yml", ".yaml"}:
            list(yaml.safe_load_all(text))
        elif path.suffix == ".json":
            json.loads(text)
        elif path.suffix == ".py":
            compile(text, name, "exec", dont_inherit=True)
        yield name


def check_example(project: Path, given: dict[str, Any]) -> None:
    """The checks of one rendered example, all but ruff."""
    wizard = gather(QUESTIONNAIRE, given, preset=None, defaults=True, asker=None)
    assert recorded_answers(project) == wizard, "the wizard resolved other answers than copier"
    parsed = list(parse_every_file(project))
    assert "pyproject.toml" in parsed
    pyproject = tomllib.loads((project / "pyproject.toml").read_text(encoding="utf-8"))
    assert pyproject["project"]["description"] == wizard["description"]
    assert pyproject["project"]["authors"] == [
        {"name": wizard["author_name"], "email": wizard["author_email"]}
    ]
    package = wizard["package_name"]
    assert pyproject["tool"]["hatch"]["build"]["targets"]["wheel"]["packages"] == [f"src/{package}"]
    assert (project / "src" / package / "__main__.py").is_file()


def ruff_failures(root: Path) -> str:
    """ruff format --check and ruff check over every render below `root`; their complaints."""
    complaints = []
    for argv in (
        [str(RUFF), "format", "--check", "--no-cache", "."],
        [str(RUFF), "check", "--no-cache", "--output-format", "concise", "."],
    ):
        done = subprocess.run(argv, cwd=root, capture_output=True, text=True, check=False)
        if done.returncode != 0:
            complaints.append(done.stdout + done.stderr)
    return "\n".join(complaints)


def test_any_accepted_answers_render_a_project_that_parses_compiles_and_passes_ruff(
    template_source: Path, tmp_path: Path
) -> None:
    renders = Renders(tmp_path)

    @PROFILE
    @given(answer_sets())
    def example(given_answers: dict[str, Any]) -> None:
        project = render(template_source, renders.next(given_answers), given_answers)
        check_example(project, given_answers)

    example()
    assert len(renders.made) >= EXAMPLES
    complaints = ruff_failures(tmp_path)
    if complaints:
        files = re.findall(r"(r\d{4})/", complaints)
        culprits = {name: renders.made[tmp_path / name] for name in dict.fromkeys(files)}
        shown = "\n".join(f"  {name}: {answers!r}" for name, answers in list(culprits.items())[:5])
        pytest.fail(f"ruff failed for {len(culprits)} renders, e.g.\n{shown}\n{complaints[-6000:]}")


# Regression tests: one per problem found, each failing before its fix.

LONG_AND_SHORT = ["p", "pkg_eight", "p" * 23, "package_of_thirty_characters_x", "p" * 40]
FULL = FULL_FEATURED


def test_package_names_of_any_allowed_length_render_formatted_lint_clean_code(
    template_source: Path, tmp_path: Path
) -> None:
    # settings.py of redis-streams changed layout with the name's length (<= 8 or >= 23), and
    # test imports passed 100 columns from 26 characters on (again in RabbitMQ's tests).
    others = [
        {**FULL},
        {**FULL, "database": "sqlite", "web": "aiohttp", "work_source": "rabbitmq"},
        {**FULL, "web": "none", "work_source": "nats"},
    ]
    for number, package in enumerate(LONG_AND_SHORT):
        for kind, other in enumerate(others):
            answers = {"project_name": "Acme", "package_name": package, **other}
            render(template_source, tmp_path / f"n{number}-{kind}", answers)
    assert ruff_failures(tmp_path) == ""


def test_every_python_min_renders_code_that_passes_the_lint_rules_of_its_target(
    template_source: Path, tmp_path: Path
) -> None:
    # UP047 failed ruff check on runtime/config.py for 3.12 and 3.13, in every variant.
    for version in QUESTIONNAIRE["python_min"].values():
        answers = {"project_name": "Acme", "python_min": version, **FULL}
        project = render(template_source, tmp_path / version, answers)
        pyproject = tomllib.loads((project / "pyproject.toml").read_text(encoding="utf-8"))
        assert pyproject["tool"]["ruff"]["target-version"] == "py" + version.replace(".", "")
    assert ruff_failures(tmp_path) == ""


def test_a_package_name_past_the_limit_is_refused_with_a_shorter_one() -> None:
    with pytest.raises(questions.AnswerError) as refused:
        QUESTIONNAIRE.resolve({"project_name": "Acme", "package_name": "p" * 41})
    assert str(refused.value) == (
        f"package name {'p' * 41!r} is 41 characters; keep it to 40 or fewer, e.g. {'p' * 40!r}"
    )


def test_a_long_project_name_gives_a_package_name_cut_at_a_word() -> None:
    answers = QUESTIONNAIRE.resolve(
        {"project_name": "Acme Payments Reconciliation And Settlement Service"}
    )
    assert answers["package_name"] == "acme_payments_reconciliation_and"
    derived = QUESTIONNAIRE.derived(answers)
    assert derived["project_slug"] == "acme-payments-reconciliation-and-settlement-service"


@pytest.mark.parametrize(
    ("project_name", "package", "slug"),
    [
        ("Café Ü", "cafe_u", "cafe-u"),
        ("Straße Œuvre", "strasse_oeuvre", "strasse-oeuvre"),
        ("İstanbul Ĳssel", "istanbul_ijssel", "istanbul-ijssel"),
        ("東京 2", "service_2", "2"),
        ("東京", "service", "service"),
        ("3D Printer", "service_3d_printer", "3d-printer"),
        ("Json", "json_service", "json"),
        ("Tests", "tests_service", "tests"),
    ],
)
def test_names_outside_ascii_are_transliterated_into_a_valid_package_and_slug(
    project_name: str, package: str, slug: str, template_source: Path, tmp_path: Path
) -> None:
    answers = QUESTIONNAIRE.resolve({"project_name": project_name})
    assert (answers["package_name"], QUESTIONNAIRE.derived(answers)["project_slug"]) == (
        package,
        slug,
    )
    # copier derives the same, with no --trust and no extension
    project = render(template_source, tmp_path / "p", {"project_name": project_name})
    assert (project / "src" / package / "__init__.py").is_file()
    pyproject = tomllib.loads((project / "pyproject.toml").read_text(encoding="utf-8"))
    assert pyproject["project"]["name"] == slug


def test_awkward_answers_round_trip_through_pyproject_and_the_answers_file(
    template_source: Path, tmp_path: Path
) -> None:
    # A backslash in the description made pyproject.toml invalid (uv sync failed).
    project = render(template_source, tmp_path / "p", AWKWARD_ANSWERS)
    check_example(project, AWKWARD_ANSWERS)
    assert ruff_failures(project) == ""


@pytest.mark.parametrize(
    ("question", "value"),
    [
        ("description", "two\nlines"),
        ("author_name", "tab\there"),
        ("project_name", "Acme\u2028Worker"),
    ],
)
def test_an_answer_with_a_line_break_is_refused_in_one_line(question: str, value: str) -> None:
    label = question.replace("_", " ")
    with pytest.raises(questions.AnswerError) as refused:
        QUESTIONNAIRE.resolve({"project_name": "Acme", question: value})
    assert str(refused.value) == (
        f"{label} {value!r} has a line break or control character; give one line of text"
    )


@pytest.mark.parametrize("rate", ["nan", "inf", "1e9"])
def test_an_example_rate_that_is_not_a_rate_is_refused(rate: str) -> None:
    with pytest.raises(questions.AnswerError, match=r"is not a rate; give a number of jobs"):
        QUESTIONNAIRE.resolve({"project_name": "Acme", "example_rate": rate})


def test_copier_and_the_wizard_both_refuse_a_redis_work_source_without_redis(
    template_source: Path, tmp_path: Path
) -> None:
    # copier renders with an answer to a question its `when:` hides; the wizard dropped it.
    given = {"project_name": "Acme", "redis": "false", "work_source": "redis-streams"}
    with pytest.raises(
        questions.AnswerError, match="reads jobs from Redis, which redis=false leaves out"
    ):
        QUESTIONNAIRE.resolve(given)
    with pytest.raises(ValueError, match="reads jobs from Redis, which redis=false leaves out"):
        render(template_source, tmp_path / "p", given)


def test_redis_streams_bring_redis_without_asking() -> None:
    answers = QUESTIONNAIRE.resolve({"project_name": "Acme", "work_source": "redis-streams"})
    assert "redis" not in answers  # not asked, so not saved: copier derives it again
    assert QUESTIONNAIRE.derived(answers)["redis"] is True
    for source in ("memory", "rabbitmq"):
        answers = QUESTIONNAIRE.resolve({"project_name": "Acme", "work_source": source})
        assert answers["redis"] is False
        assert QUESTIONNAIRE.is_asked(QUESTIONNAIRE["redis"], answers)


# Casting: the wizard must take every answer copier takes, with the same result.

ANY_ANSWER = st.one_of(
    st.text(max_size=12),
    st.sampled_from([s for spellings in YES_NO.values() for s in spellings]),
    st.sampled_from(["~", "null", "None", "nan", "-0", "1e3", " 2 ", "0x1", "1_0", "maybe"]),
    st.booleans(),
    st.integers(),
    st.floats(allow_nan=True),
    st.binary(max_size=4),
    st.lists(st.integers(), max_size=2),
)
COPIER_CASTS: dict[str, Callable[[Any], Any]] = {
    "bool": cast_to_bool,
    "str": cast_to_str,
    "float": float,
    "int": int,
}


def copier_cast(kind: str, value: Any) -> tuple[str, Any]:
    try:
        return ("ok", COPIER_CASTS[kind](value))
    except (ValueError, TypeError, AttributeError, OverflowError):  # copier stops on each
        return ("refused", None)


def wizard_cast(kind: str, value: Any) -> tuple[str, Any]:
    try:
        return ("ok", questions.coerce(questions.Question("q", kind, "help"), value))
    except questions.AnswerError:
        return ("refused", None)


def same(left: tuple[str, Any], right: tuple[str, Any]) -> bool:
    # nan == nan is false; compare what a reader would call equal
    return repr(left) == repr(right) and type(left[1]) is type(right[1])


@PROFILE
@given(kind=st.sampled_from(sorted(COPIER_CASTS)), value=ANY_ANSWER)
def test_the_wizard_casts_every_answer_exactly_as_copier_does(kind: str, value: Any) -> None:
    assert same(wizard_cast(kind, value), copier_cast(kind, value))


@pytest.mark.parametrize(
    ("kind", "value"), [("int", float("inf")), ("int", "1.5"), ("str", [1]), ("bool", "maybe")]
)
def test_cast_edge_cases_found_so_far_match_copier(kind: str, value: Any) -> None:
    assert same(wizard_cast(kind, value), copier_cast(kind, value))


@pytest.mark.parametrize(("spelling", "meant"), [(s, m) for m in YES_NO for s in YES_NO[m]])
def test_every_yes_no_spelling_copier_takes_the_wizard_takes_too(
    spelling: str, meant: bool, template_source: Path, tmp_path: Path
) -> None:
    # --data redis=t was refused by the wizard and accepted by copier.
    answers = QUESTIONNAIRE.resolve({"project_name": "Acme", "redis": spelling})
    assert answers["redis"] is meant
    if spelling in {"t", "f"}:
        project = render(
            template_source, tmp_path / "p", {"project_name": "Acme", "redis": spelling}
        )
        assert recorded_answers(project)["redis"] is meant


@pytest.mark.parametrize(
    "flags",
    [
        pytest.param(
            [f"{key}={value}" for key, value in AWKWARD_ANSWERS.items()], id="awkward-text"
        ),
        pytest.param(["project_name=Straße 東京", "redis=t", "work_source=redis-streams"], id="t"),
        pytest.param(["project_name=9 Lives", "example_rate=1_000", "docker=Yes"], id="spellings"),
    ],
)
def test_the_wizard_and_copier_copy_write_the_same_tree(
    flags: list[str], template_repo: Path, tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    data = dict(flag.split("=", 1) for flag in flags)
    argv = [arg for flag in flags for arg in ("--data", flag)]
    wizard = tmp_path / "wizard"
    result = new(capsys, wizard, template_repo, "--yes", "--no-git", "--no-sync", *argv)
    assert result.code == 0, result.err
    copied = tmp_path / "copied"
    copier.run_copy(str(template_repo), copied, data=data, defaults=True, quiet=True)
    assert tree(wizard) == tree(copied)
