"""tf.train.Example protos, tf.io parsing and TFRecord files against fixtures recorded from real TF:
see tests/fixtures/cases/io_example.py."""

import pytest

from tests.harness import check_fixture, fixture_params


@pytest.mark.parametrize("case", fixture_params("io_example"))
def test_io_example(case):
    check_fixture("io_example", case)
