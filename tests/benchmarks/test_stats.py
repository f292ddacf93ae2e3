import pytest

from bot.benchmarks.stats import percentile


def test_percentiles_interpolate_between_ranks():
    values = [5, 1, 4, 2, 3]
    assert percentile(values, 0) == 1
    assert percentile(values, 50) == 3
    assert percentile(values, 100) == 5
    assert percentile(values, 25) == 2
    assert percentile([0.010, 0.020], 95) == pytest.approx(0.0195)


def test_one_value_is_every_percentile():
    assert percentile([0.2], 50) == percentile([0.2], 99) == 0.2


def test_no_values_no_percentile():
    assert percentile([], 95) is None


@pytest.mark.parametrize("p", [-1, 101])
def test_percentile_outside_0_to_100_is_refused(p):
    with pytest.raises(ValueError):
        percentile([1, 2, 3], p)
