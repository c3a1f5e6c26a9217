"""The pure parts of the benchmarks: statistics, rows, targets, the JSON form, the skip paths.

Nothing here is timed: benchmarks report figures, they never fail on them.
"""

from __future__ import annotations

import json
import sys
from pathlib import Path

import pytest

from benchmarks import __main__ as cli
from benchmarks import drain, generate, loadgen, metrics, peers, report, throughput, web
from benchmarks.lifecycle import Start
from benchmarks.plan import FULL, QUICK, Plan
from benchmarks.process import fields
from benchmarks.rows import KEYS, Row, Target, compare, skipped
from benchmarks.stats import alternate, paired_ratio, summarize
from benchmarks.workspace import Workspace
from generator import questions


def test_summary_of_odd_samples_has_the_middle_as_median_and_inclusive_quartiles() -> None:
    summary = summarize([5.0, 1.0, 3.0, 2.0, 4.0])
    assert (summary.median, summary.q1, summary.q3) == (3.0, 2.0, 4.0)
    assert (summary.low, summary.high, summary.n) == (1.0, 5.0, 5)


def test_summary_of_even_samples_averages_the_middle_two() -> None:
    assert summarize([1.0, 2.0, 3.0, 10.0]).median == 2.5


def test_summary_of_one_sample_has_no_spread() -> None:
    summary = summarize([7.0])
    assert summary.q1 == summary.median == summary.q3 == 7.0


def test_summary_of_nothing_is_refused() -> None:
    with pytest.raises(ValueError, match="no samples"):
        summarize([])


def test_paired_ratio_is_the_median_of_pairs_not_the_ratio_of_medians() -> None:
    values, baselines = [10.0, 30.0, 20.0], [10.0, 10.0, 40.0]
    assert paired_ratio(values, baselines) == 1.0  # pairs: 1.0, 3.0, 0.5
    assert summarize(values).median / summarize(baselines).median == 2.0


def test_paired_ratio_refuses_unpaired_or_zero_baselines() -> None:
    with pytest.raises(ValueError, match="as many values as baselines"):
        paired_ratio([1.0, 2.0], [1.0])
    with pytest.raises(ValueError, match="positive"):
        paired_ratio([1.0], [0.0])


def test_pairs_alternate_which_side_goes_first() -> None:
    assert [alternate(i, "figure", "baseline")[0] for i in range(4)] == [
        "figure",
        "baseline",
        "figure",
        "baseline",
    ]


@pytest.mark.parametrize(
    ("target", "text"),
    [
        (Target("<=", 2.0), "ratio <= 2.0"),
        (Target(">=", 0.8), "ratio >= 0.8"),
        (Target("<=", 1.11), "ratio <= 1.11"),
        (Target("<=", 300, on="value", unit="s"), "value <= 300 s"),
    ],
)
def test_a_target_reads_as_written_in_the_issue(target: Target, text: str) -> None:
    assert str(target) == text


def test_a_ratio_target_is_met_at_its_limit_and_missed_beyond_it() -> None:
    at_most = Target("<=", 2.0)
    assert at_most.met_by(value=99.0, ratio=2.0) is True
    assert at_most.met_by(value=1.0, ratio=2.01) is False
    at_least = Target(">=", 0.8)
    assert at_least.met_by(value=1.0, ratio=0.8) is True
    assert at_least.met_by(value=1.0, ratio=0.79) is False
    assert at_least.met_by(value=None, ratio=None) is None


def test_a_value_target_looks_at_the_value_not_the_ratio() -> None:
    minutes = Target("<=", 300, on="value", unit="s")
    assert minutes.met_by(value=299.0, ratio=50.0) is True
    assert minutes.met_by(value=301.0, ratio=0.1) is False


def test_a_compared_row_reports_medians_paired_ratio_and_whether_it_meets() -> None:
    row = compare("startup", "ms", [90.0, 100.0, 110.0], [40.0, 50.0, 60.0], Target("<=", 2.0))
    assert row.value is not None
    assert row.baseline is not None
    assert (row.value.median, row.baseline.median) == (100.0, 50.0)
    assert row.ratio == pytest.approx(2.0)
    assert row.meets is True


def test_a_row_in_json_has_the_documented_keys_and_types() -> None:
    row = compare("memory", "MiB", [30.0, 31.0], [20.0, 20.0], Target("<=", 2.0))
    data = row.to_json()
    assert tuple(data)[: len(KEYS)] == KEYS
    assert isinstance(data["name"], str)
    assert isinstance(data["unit"], str)
    assert isinstance(data["value"], float)
    assert isinstance(data["baseline"], float)
    assert isinstance(data["ratio"], float)
    assert data["target"] == "ratio <= 2.0"
    assert data["meets"] is True
    assert set(data["spread"]["value"]) == {"q1", "q3", "min", "max"}
    assert data["repeats"] == 2
    json.dumps(data)  # plain JSON types only


def test_a_skipped_row_has_no_value_and_no_verdict_but_a_reason() -> None:
    data = skipped("generate", "s", "the wizard is not here", Target("<=", 1.5)).to_json()
    assert data["value"] is None
    assert data["ratio"] is None
    assert data["meets"] is None
    assert data["target"] == "ratio <= 1.5"
    assert data["note"] == "skipped: the wizard is not here"


def test_a_row_without_target_has_no_verdict() -> None:
    row = compare("matrix variant x", "s", [10.0], [9.0], None)
    assert row.meets is None
    assert row.to_json()["target"] is None


def test_json_rows_round_trip_as_a_list(tmp_path: Path) -> None:
    rows = [
        compare("startup", "ms", [3.0], [1.0], Target("<=", 2.0)),
        skipped("web requests/s", "req/s", "no web question"),
    ]
    path = tmp_path / "bench.json"
    report.write_json(rows, path)
    loaded = json.loads(path.read_text(encoding="utf-8"))
    assert [row["name"] for row in loaded] == ["startup", "web requests/s"]
    assert loaded[0]["meets"] is False


def test_the_table_marks_a_miss_and_shows_why_a_row_was_skipped() -> None:
    rows = [
        compare("startup", "ms", [3.0], [1.0], Target("<=", 2.0)),
        skipped("generate", "s", "no wizard"),
    ]
    lines = report.table(rows).splitlines()
    assert lines[0].startswith("| figure | median |")
    assert "**no**" in lines[2]
    assert "skipped: no wizard" in lines[3]


def test_numbers_keep_three_or_four_significant_digits() -> None:
    assert [report.number(x) for x in (0.1234, 1.234, 12.34, 123.4, 12345.6)] == [
        "0.123",
        "1.23",
        "12.3",
        "123",
        "12,346",
    ]


def test_throughput_rows_give_the_ratio_and_the_time_a_job_adds() -> None:
    data = {"service": [100_000.0], "bare": [200_000.0], "concurrency": 8, "job_timeout": 10.0}
    rate, overhead = throughput.rows(data, "asyncio")
    assert rate.ratio == 0.5
    assert rate.meets is False
    assert overhead.value is not None
    assert overhead.value.median == pytest.approx(5.0)  # 10 µs a job against 5 µs
    assert overhead.unit == "µs"


def test_metrics_throughput_is_the_rate_with_metrics_over_the_rate_without() -> None:
    row = metrics.throughput_row(
        {"on": [96_000.0, 90_000.0], "off": [100_000.0] * 2, "scrape": 0.1}
    )
    assert row.ratio == pytest.approx(0.93)  # the median of the pairs 0.96 and 0.90
    assert str(row.target) == "ratio >= 0.95"
    assert row.meets is False
    assert metrics.throughput_row({"on": [95_000.0], "off": [100_000.0], "scrape": 0.1}).meets


def test_metrics_startup_is_compared_with_the_service_without_metrics() -> None:
    on = [Start(startup=0.33, rss=25.0, shutdown=0.1)]
    off = [Start(startup=0.3, rss=20.0, shutdown=0.1)]
    startup, memory = metrics.startup_rows(on, off)
    assert startup.unit == "ms"
    assert startup.ratio == pytest.approx(1.1)
    assert str(startup.target) == "ratio <= 1.1"
    assert startup.meets is True
    assert memory.ratio == pytest.approx(1.25)
    assert memory.target is None


def test_the_drain_bound_is_jobs_times_seconds_over_concurrency() -> None:
    assert drain.lower_bound(1000, 0.01, 8) == pytest.approx(1.25)


def test_log_fields_are_read_from_a_plain_line() -> None:
    line = "2025-01-01 INFO x: event=stopped accepted=12 completed=12 failed=0 abandoned=0"
    assert fields(line)["accepted"] == "12"
    assert fields(line)["event"] == "stopped"


def test_generate_is_skipped_when_the_wizard_has_no_new_command() -> None:
    wizard = [sys.executable, "-c", "import sys; sys.exit(2)"]
    reason = generate.wizard_missing(wizard)
    assert reason is not None
    assert "exited 2" in reason


def test_generate_runs_when_new_help_exits_0() -> None:
    assert generate.wizard_missing([sys.executable, "-c", "pass"]) is None


def test_web_is_skipped_while_copier_yml_has_no_web_question() -> None:
    questionnaire = questions.load()
    if "web" in {q.name for q in questionnaire.asked}:
        pytest.skip("copier.yml has a web question: the web figure is measured")
    assert web.web_missing(questionnaire) is not None


def test_web_is_measured_once_copier_yml_has_a_web_question() -> None:
    loaded = questions.load()
    choices = tuple(questions.Choice(v, v) for v in ("none", "fastapi", "aiohttp"))
    web_question = questions.Question("web", "str", "web server", "none", choices)
    with_web = questions.Questionnaire(
        loaded.root, (*loaded.questions, web_question), loaded.code_axes
    )
    assert web.web_missing(with_web) is None


def test_the_web_port_setting_is_found_by_a_whole_word() -> None:
    assert web.setting_named({"report_every": 1, "web_port": 8000}, "port") == "web_port"
    assert web.setting_named({"report_every": 1}, "port") is None


def test_p99_is_the_nearest_rank() -> None:
    samples = [float(n) for n in range(1, 101)]
    assert loadgen.percentile(samples, 99) == 99.0
    assert loadgen.percentile([5.0], 99) == 5.0


def test_an_unknown_figure_name_is_a_usage_error(capsys: pytest.CaptureFixture[str]) -> None:
    with pytest.raises(SystemExit) as caught:
        cli.parse(["--only", "startup,speed"])
    assert caught.value.code == 2
    assert "--only speed: not a figure" in capsys.readouterr().err


def test_every_figure_of_the_issue_can_be_selected() -> None:
    words = "startup shutdown memory drain throughput metrics generate update web matrix peers"
    assert set(cli.NAMES) == set(words.split())


def test_peers_are_left_out_of_quick_unless_named(
    monkeypatch: pytest.MonkeyPatch, tmp_path: Path
) -> None:
    ran: list[str] = []

    def figure(name: str) -> cli.Figure:
        def measure(workspace: Workspace, plan: Plan) -> list[Row]:
            ran.append(name)
            return []

        return measure

    monkeypatch.setattr(
        cli, "FIGURES", ((("drain",), figure("drain")), (("peers",), figure("peers")))
    )
    monkeypatch.setattr(Workspace, "python_version", lambda self: "3.x")
    for plan, only in [(QUICK, []), (FULL, []), (QUICK, ["peers"])]:
        cli.run(plan, only, tmp_path / str(len(ran)))
    assert ran == ["drain", "drain", "peers", "peers"]


def test_a_redis_reply_is_parsed_whole_or_asked_for_more() -> None:
    reply = b"*3\r\n$5\r\nhello\r\n:42\r\n*-1\r\n+OK\r\n"
    assert peers.parse(reply) == ([b"hello", 42, None], b"+OK\r\n")
    with pytest.raises(peers.IncompleteReply):
        peers.parse(reply[:12])
    error, rest = peers.parse(b"-BUSYGROUP exists\r\n")
    assert isinstance(error, peers.RedisError)
    assert rest == b""


def test_a_redis_command_is_an_array_of_bulk_strings() -> None:
    assert peers.encode(["HINCRBY", "k", 1]) == b"*3\r\n$7\r\nHINCRBY\r\n$1\r\nk\r\n$1\r\n1\r\n"


def test_jobs_that_never_ran_are_stranded_if_still_held_else_lost() -> None:
    ids = peers.job_ids("bench-peers-1-ab", 5)
    assert ids[0] == "bench-peers-1-ab-j000000"
    runs = {ids[0]: 1, ids[1]: 3, ids[2]: 1}  # ids[1] ran twice too many
    # a length byte before the id (a binary envelope) does not hide it
    held = b"bench-peers-1-ab\n1700000000000-0\npayload\nX" + ids[3].encode() + b"\n"
    found = peers.outcome("bench-peers-1-ab", ids, runs, held)
    assert found == peers.Outcome(lost=1, duplicated=2, stranded=1)


def test_an_id_that_only_starts_another_is_not_counted_as_held() -> None:
    ids = peers.job_ids("p", 2)
    held = b"arq:job:" + ids[1].encode() + b"0\n"  # p-j0000010: another id, not p-j000001
    assert peers.outcome("p", ids, {}, held) == peers.Outcome(lost=2, duplicated=0, stranded=0)


def test_the_best_peer_depends_on_the_direction() -> None:
    medians = {"a": 100.0, "b": 300.0}
    assert peers.best_of(medians, "higher") == ("b", 300.0)
    assert peers.best_of(medians, "lower") == ("a", 100.0)


def test_the_lead_ratio_of_counts_ties_at_zero_and_has_none_past_a_zero_best() -> None:
    assert peers.lead_ratio(0, 0) == 1.0
    assert peers.lead_ratio(3, 0) is None
    assert peers.lead_ratio(2.0, 4.0) == 0.5


def _figure(better: peers.Better, unit: str = "s") -> peers.Figure:
    return peers.Figure("x", unit, better, "what x is")


def test_a_rate_leads_when_it_is_higher_than_the_best_peer() -> None:
    samples = {peers.SERVICE: [900.0, 1100.0, 1000.0], "a": [500.0], "b": [800.0, 800.0]}
    row = peers.figure_row(_figure("higher", "jobs/s"), samples, {}, "a==1, b==2")
    assert row.ratio == 1000.0 / 800.0
    assert row.baseline is not None
    assert row.baseline.median == 800.0
    assert row.meets is True
    assert "best peer b" in row.note
    assert "a 500" in row.note
    assert "a==1, b==2" in row.note


def test_a_time_leads_when_it_is_lower_than_the_best_peer() -> None:
    samples = {peers.SERVICE: [2.5], "a": [0.2], "b": [0.7]}
    row = peers.figure_row(_figure("lower"), samples, {}, "")
    assert row.ratio == pytest.approx(12.5)
    assert row.meets is False
    samples[peers.SERVICE] = [0.1]
    assert peers.figure_row(_figure("lower"), samples, {}, "").meets is True


def test_a_count_leads_when_it_is_at_most_the_best_peers() -> None:
    lost = _figure("lower", "jobs")
    tie = peers.figure_row(lost, {peers.SERVICE: [0.0], "a": [0.0], "b": [40.0]}, {}, "")
    assert (tie.ratio, tie.meets, str(tie.target)) == (1.0, True, "value <= 0 jobs")
    behind = peers.figure_row(lost, {peers.SERVICE: [3.0], "a": [0.0]}, {}, "")
    assert (behind.ratio, behind.meets) == (None, False)


def test_a_peer_that_failed_is_left_out_of_the_best_and_named() -> None:
    samples = {peers.SERVICE: [1.0], "a": [], "b": [2.0]}
    row = peers.figure_row(_figure("lower"), samples, {"a": "install failed: no wheel"}, "")
    assert row.baseline is not None
    assert row.baseline.median == 2.0
    assert "not run: a: install failed: no wheel" in row.note


def test_with_no_peer_or_no_service_the_row_is_skipped_saying_why() -> None:
    alone = peers.figure_row(_figure("lower"), {peers.SERVICE: [1.0], "a": []}, {"a": "boom"}, "")
    assert alone.value is None
    assert "no peer ran (a: boom)" in alone.note
    down = peers.figure_row(_figure("lower"), {peers.SERVICE: [], "a": [1.0]}, {}, "")
    assert down.value is None
    assert down.note.startswith("skipped:")


def test_each_pass_over_the_systems_starts_with_the_next_one() -> None:
    orders = [peers.rotated(["service", "a", "b"], turn) for turn in range(4)]
    assert [order[0] for order in orders] == ["service", "a", "b", "service"]
    assert orders[1] == ["a", "b", "service"]
