"""A step run in a forked child: its result comes back; its failure or death is an error that says so."""

from __future__ import annotations

import os

import pytest

from kb.checks.worker import Background, WorkerDied, can_fork

pytestmark = pytest.mark.skipif(not can_fork(), reason="needs fork")


def square_of_sum(numbers: list[int]) -> int:
    return sum(numbers) ** 2


def fails(message: str) -> None:
    raise ValueError(message)


def dies() -> None:
    os._exit(3)


def test_the_result_comes_back_from_the_child() -> None:
    job = Background(square_of_sum, [1, 2, 3])
    assert job.forked
    assert job.result() == 36
    assert job.result() == 36  # asked again: the same value, no second wait
    assert job.peak_mb is not None and job.peak_mb > 0
    assert job.seconds >= 0


def test_inline_runs_in_this_process_when_asked() -> None:
    job = Background(square_of_sum, [4], inline=True)
    assert not job.forked
    assert job.result() == 16
    assert job.peak_mb is None


def test_an_error_in_the_child_is_reported_with_its_traceback() -> None:
    job = Background(fails, "the shapes are broken")
    with pytest.raises(WorkerDied, match="fails process failed") as err:
        job.result()
    assert "ValueError: the shapes are broken" in str(err.value)


def test_a_child_that_dies_without_a_result_is_an_error_naming_its_exit_code() -> None:
    job = Background(dies)
    with pytest.raises(WorkerDied, match="exit code 3"):
        job.result()


def forks_from_a_daemon() -> bool:
    return Background(square_of_sum, [1]).forked


def test_a_daemonic_process_computes_inline_instead_of_failing() -> None:
    assert Background(square_of_sum, [5]).forked
    assert Background(forks_from_a_daemon, inline=False).result() is False  # the child below is daemonic


def sleeps() -> None:
    import time

    time.sleep(60)


def test_a_child_no_longer_wanted_is_stopped() -> None:
    job = Background(sleeps)
    job.cancel()
    assert not job._proc.is_alive() and job._proc.exitcode is not None
