"""RNN(cell), Keras's cells alone and stacked, and a user's own cell: against torch's cells and
cnnkit's LSTM/GRU/SimpleRNN layers on the same weights."""

import numpy as np
import pytest
import torch

import cnnkit
from cnnkit import layers
from cnnkit.models import load_model
from tests.conftest import assert_close


def same_weights(source, target):
    target.set_weights(source.get_weights())


@pytest.mark.parametrize(
    "layer_class, cell_class",
    [(layers.LSTM, layers.LSTMCell), (layers.GRU, layers.GRUCell), (layers.SimpleRNN, layers.SimpleRNNCell)],
)
@pytest.mark.parametrize("options", [{}, {"return_sequences": True, "go_backwards": True}, {"return_state": True}])
def test_rnn_of_a_cell_equals_the_layer(layer_class, cell_class, options, rng):
    x = torch.from_numpy(rng.normal(size=(3, 6, 5)).astype("float32"))
    layer = layer_class(4, **options)
    rnn = layers.RNN(cell_class(4), **options)
    layer.build_for((None, 6, 5))
    rnn.build_for((None, 6, 5))
    same_weights(layer, rnn)
    assert [w.shape for w in rnn.get_weights()] == [w.shape for w in layer.get_weights()]
    assert rnn.compute_output_shape((None, 6, 5)) == layer.compute_output_shape((None, 6, 5))
    expected, got = layer(x), rnn(x)
    for a, b in zip(expected if isinstance(expected, list) else [expected], got if isinstance(got, list) else [got]):
        assert_close(b, a)


def test_cells_alone_match_torchs_cells(rng):
    x = torch.from_numpy(rng.normal(size=(3, 5)).astype("float32"))
    h = torch.from_numpy(rng.normal(size=(3, 4)).astype("float32"))
    c = torch.from_numpy(rng.normal(size=(3, 4)).astype("float32"))
    cell = layers.LSTMCell(4)
    output, (h1, c1) = cell(x, [h, c])
    reference = torch.nn.LSTMCell(5, 4)  # same gate order i, f, g, o; Keras's one bias is b_ih
    with torch.no_grad():
        reference.weight_ih.copy_(cell.kernel)
        reference.weight_hh.copy_(cell.recurrent_kernel)
        reference.bias_ih.copy_(cell.bias)
        reference.bias_hh.zero_()
    h2, c2 = reference(x, (h, c))
    assert_close(output, h2)
    assert_close(c1, c2)
    simple = layers.SimpleRNNCell(4)
    out, [state] = simple(x, [h])
    reference = torch.nn.RNNCell(5, 4)
    with torch.no_grad():
        reference.weight_ih.copy_(simple.kernel)
        reference.weight_hh.copy_(simple.recurrent_kernel)
        reference.bias_ih.copy_(simple.bias)
        reference.bias_hh.zero_()
    assert_close(out, reference(x, h))
    assert out is state or torch.equal(out, state)
    assert layers.LSTMCell(4).state_size == [4, 4] and layers.GRUCell(3).state_size == 3
    from_numpy, numpy_states = cell(x.numpy(), [h.numpy(), c.numpy()])  # NumPy in, as Keras takes it
    assert_close(from_numpy, output)
    assert_close(numpy_states[1], c1)


def test_stacked_cells_equal_two_stacked_layers(rng, tmp_path):
    x = rng.normal(size=(2, 7, 3)).astype("float32")
    stacked = cnnkit.Sequential([layers.Input((7, 3)), layers.RNN([layers.LSTMCell(5), layers.GRUCell(4)])])
    two = cnnkit.Sequential([layers.Input((7, 3)), layers.LSTM(5, return_sequences=True), layers.GRU(4)])
    same_weights(stacked, two)
    assert stacked.output_shape == (None, 4)
    np.testing.assert_allclose(stacked.predict(x, verbose=0), two.predict(x, verbose=0), rtol=1e-5, atol=1e-6)
    stacked.save(tmp_path / "s.keras")
    again = load_model(tmp_path / "s.keras")
    np.testing.assert_allclose(again.predict(x, verbose=0), stacked.predict(x, verbose=0), rtol=1e-6)


class MinimalRNNCell(layers.Layer):
    """Keras's guide's own cell: h_t = x_t W + h_{t-1} U."""

    def __init__(self, units, **kwargs):
        super().__init__(**kwargs)
        self.units = units
        self.state_size = units

    def build(self, input_shape):
        self.kernel = self.add_weight(shape=(input_shape[-1], self.units), initializer="uniform", name="kernel")
        self.recurrent_kernel = self.add_weight(shape=(self.units, self.units), initializer="uniform", name="recurrent")

    def call(self, inputs, states):
        output = inputs @ self.kernel + states[0] @ self.recurrent_kernel
        return output, [output]

    def get_config(self):
        return {**super().get_config(), "units": self.units}


def test_a_users_cell_runs_trains_and_saves(rng, tmp_path):
    x = rng.normal(size=(8, 5, 3)).astype("float32")
    model = cnnkit.Sequential([layers.Input((5, 3)), layers.RNN(MinimalRNNCell(4)), layers.Dense(1)])
    cell = model.layers[0].cell
    w, u = cell.kernel.detach().numpy(), cell.recurrent_kernel.detach().numpy()
    h = np.zeros((8, 4), np.float32)
    for t in range(5):
        h = x[:, t] @ w + h @ u
    np.testing.assert_allclose(model.layers[0](x).detach().numpy(), h, rtol=1e-5, atol=1e-6)
    model.compile(loss="mse", optimizer="adam")
    history = model.fit(x, rng.normal(size=(8, 1)), epochs=3, verbose=0)
    assert np.isfinite(history.history["loss"]).all()
    model.save(tmp_path / "m.keras")
    loaded = load_model(tmp_path / "m.keras", custom_objects={"MinimalRNNCell": MinimalRNNCell})
    np.testing.assert_allclose(loaded.predict(x, verbose=0), model.predict(x, verbose=0), rtol=1e-6)


def test_masks_bidirectional_and_errors(rng):
    tokens = np.array([[3, 4, 0, 0], [5, 6, 7, 0]])
    masked = cnnkit.Sequential(
        [layers.Input((4,)), layers.Embedding(10, 3, mask_zero=True), layers.RNN(layers.GRUCell(2))]
    )
    plain = cnnkit.Sequential([layers.Input((4,)), layers.Embedding(10, 3, mask_zero=True), layers.GRU(2)])
    same_weights(masked, plain)
    np.testing.assert_allclose(
        masked.predict(tokens, verbose=0), plain.predict(tokens, verbose=0), rtol=1e-5, atol=1e-6
    )
    both = layers.Bidirectional(layers.RNN(layers.LSTMCell(3), return_sequences=True))
    assert both(torch.zeros(2, 5, 4)).shape == (2, 5, 6)
    with pytest.raises(ValueError, match="cell must have state_size and call"):
        layers.RNN(layers.Dense(3))

    class OutputOnly(MinimalRNNCell):
        def call(self, inputs, states):
            return super().call(inputs, states)[0]

    with pytest.raises(
        ValueError, match="OutputOnly: a cell's call\\(inputs, states\\) must return \\(output, new_states\\)"
    ):
        layers.RNN(OutputOnly(2))(torch.zeros(2, 3, 4))
    with pytest.raises(ValueError, match="a cell takes one step \\(batch, features\\)"):
        layers.LSTMCell(3).build_for((None, 4, 2))
