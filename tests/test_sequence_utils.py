"""pad_sequences against Keras's documented behaviour, written out by hand."""

import numpy as np
import pytest

from cnnkit.preprocessing.sequence import pad_sequences
from cnnkit.utils import pad_sequences as from_utils


def test_pads_and_truncates_at_either_end():
    sequences = [[1, 2, 3], [4, 5], [6, 7, 8, 9, 10], []]
    np.testing.assert_array_equal(
        pad_sequences(sequences, maxlen=4), [[0, 1, 2, 3], [0, 0, 4, 5], [7, 8, 9, 10], [0, 0, 0, 0]]
    )
    np.testing.assert_array_equal(
        pad_sequences(sequences, maxlen=4, padding="post", truncating="post", value=-1),
        [[1, 2, 3, -1], [4, 5, -1, -1], [6, 7, 8, 9], [-1, -1, -1, -1]],
    )
    longest = pad_sequences(sequences)
    assert longest.shape == (4, 5) and longest.dtype == np.int32
    assert from_utils is pad_sequences


def test_steps_with_features_dtypes_and_bad_arguments():
    steps = [np.ones((2, 3)), np.full((4, 3), 2.0)]
    padded = pad_sequences(steps, maxlen=3, dtype="float32", value=0.5)
    assert padded.shape == (2, 3, 3) and padded.dtype == np.float32
    np.testing.assert_array_equal(padded[0], [[0.5] * 3, [1] * 3, [1] * 3])
    np.testing.assert_array_equal(padded[1], np.full((3, 3), 2.0))
    words = pad_sequences([["a", "b"], ["c"]], dtype=object, value="<pad>")
    assert words.tolist() == [["a", "b"], ["<pad>", "c"]]
    with pytest.raises(ValueError, match="padding must be 'pre' or 'post'"):
        pad_sequences([[1]], padding="both")
    with pytest.raises(ValueError, match="sequence 1 has steps of shape \\(2,\\)"):
        pad_sequences([np.ones((2, 3)), np.ones((2, 2))])
    with pytest.raises(ValueError, match="value='x' is text"):
        pad_sequences([[1]], value="x")
    with pytest.raises(ValueError, match="sequence 0 is a single value"):
        pad_sequences([5, 6])
