"""LSTM, GRU and SimpleRNN against the equations written out in NumPy with Keras's weight layout
(kernel (features, gates*units), recurrent_kernel (units, gates*units), gates i,f,c,o / z,r,h),
set through set_weights as a Keras user would; both ways of running (torch's fused kernels and the
stepwise loop), every return mode, go_backwards, initial states, masks, Bidirectional, Embedding."""

import numpy as np
import pytest
import torch

import cnnkit as keras
from cnnkit import layers
from cnnkit.models import load_model


def sigmoid(z):
    return 1 / (1 + np.exp(-z))


def lstm_step(x, h, c, kernel, recurrent, bias, activation=np.tanh):
    z = x @ kernel + h @ recurrent + bias
    i, f, g, o = np.split(z, 4, axis=1)
    c = sigmoid(f) * c + sigmoid(i) * activation(g)
    h = sigmoid(o) * activation(c)
    return h, (h, c)


def gru_step(x, h, kernel, recurrent, bias, reset_after=True):
    units = h.shape[1]
    if reset_after:
        x_part = x @ kernel + bias[0]
        h_part = h @ recurrent + bias[1]
        z = sigmoid(x_part[:, :units] + h_part[:, :units])
        r = sigmoid(x_part[:, units : 2 * units] + h_part[:, units : 2 * units])
        candidate = np.tanh(x_part[:, 2 * units :] + r * h_part[:, 2 * units :])
    else:
        x_part = x @ kernel + bias
        z = sigmoid(x_part[:, :units] + h @ recurrent[:, :units])
        r = sigmoid(x_part[:, units : 2 * units] + h @ recurrent[:, units : 2 * units])
        candidate = np.tanh(x_part[:, 2 * units :] + (r * h) @ recurrent[:, 2 * units :])
    h = z * h + (1 - z) * candidate
    return h, (h,)


def rnn_step(x, h, kernel, recurrent, bias, activation=np.tanh):
    h = activation(x @ kernel + h @ recurrent + bias)
    return h, (h,)


def run_numpy(step, x, states, go_backwards=False, mask=None, zero_output_for_mask=False):
    """Keras's RNN loop: returns (all outputs in processing order, final states)."""
    order = range(x.shape[1])[::-1] if go_backwards else range(x.shape[1])
    outputs, previous = [], np.zeros_like(states[0])
    for t in order:
        output, new_states = step(x[:, t], *states)
        if mask is not None:
            keep = mask[:, t, None]
            new_states = tuple(np.where(keep, n, o) for n, o in zip(new_states, states))
            output = np.where(keep, output, 0 if zero_output_for_mask else previous)
        outputs.append(output)
        previous, states = output, new_states
    return np.stack(outputs, 1), states


def keras_weights(rng, kind, features, units, reset_after=True):
    gates = {"LSTM": 4, "GRU": 3, "SimpleRNN": 1}[kind]
    bias_shape = (2, gates * units) if kind == "GRU" and reset_after else (gates * units,)
    return [
        rng.normal(0, 0.5, (features, gates * units)).astype(np.float32),
        rng.normal(0, 0.5, (units, gates * units)).astype(np.float32),
        rng.normal(0, 0.5, bias_shape).astype(np.float32),
    ]


def reference(kind, weights, x, initial, **loop):
    kernel, recurrent, bias = (w.astype(np.float64) for w in weights)
    if kind == "LSTM":
        step = lambda x_t, h, c: lstm_step(x_t, h, c, kernel, recurrent, bias)  # noqa: E731
    elif kind == "GRU":
        step = lambda x_t, h: gru_step(x_t, h, kernel, recurrent, bias, reset_after=bias.ndim == 2)  # noqa: E731
    else:
        step = lambda x_t, h: rnn_step(x_t, h, kernel, recurrent, bias)  # noqa: E731
    return run_numpy(step, x.astype(np.float64), tuple(s.astype(np.float64) for s in initial), **loop)


STATES = {"LSTM": 2, "GRU": 1, "SimpleRNN": 1}


@pytest.mark.parametrize("kind", ["LSTM", "GRU", "SimpleRNN"])
@pytest.mark.parametrize("fused", [True, False])
@pytest.mark.parametrize("go_backwards", [False, True])
def test_every_return_mode_matches_the_equations(rng, kind, fused, go_backwards):
    features, units = 5, 4
    x = rng.normal(size=(3, 6, features)).astype(np.float32)
    initial = [rng.normal(size=(3, units)).astype(np.float32) for _ in range(STATES[kind])]
    weights = keras_weights(rng, kind, features, units)
    outputs, states = reference(kind, weights, x, initial, go_backwards=go_backwards)
    for sequences in (False, True):
        for with_state in (False, True):
            layer = getattr(layers, kind)(
                units,
                return_sequences=sequences,
                return_state=with_state,
                go_backwards=go_backwards,
                use_cudnn="auto" if fused else False,
            )
            layer.build_for((None, 6, features))
            layer.set_weights(weights)
            layer.eval()
            got = layer(torch.from_numpy(x), initial_state=[torch.from_numpy(s) for s in initial])
            got = [t.detach().numpy() for t in (got if with_state else [got])]
            expected = [outputs if sequences else outputs[:, -1], *(states if with_state else [])]
            assert len(got) == len(expected)
            for a, b in zip(got, expected):
                np.testing.assert_allclose(a, b, rtol=1e-5, atol=1e-5)


def test_keras_layouts_counts_and_initial_biases():
    lstm = layers.LSTM(128)
    lstm.build_for((None, 28, 28))
    assert [w.shape for w in lstm.get_weights()] == [(28, 512), (128, 512), (512,)]
    assert lstm.count_params() == 80_384  # Keras's count for LSTM(128) on 28 features
    bias = lstm.get_weights()[2]
    assert (bias[128:256] == 1).all() and (bias[:128] == 0).all() and (bias[256:] == 0).all()  # unit_forget_bias
    gru = layers.GRU(64)
    gru.build_for((None, 28, 28))
    assert [w.shape for w in gru.get_weights()] == [(28, 192), (64, 192), (2, 192)] and gru.count_params() == 18_048
    old_gru = layers.GRU(64, reset_after=False)
    old_gru.build_for((None, 28, 28))
    assert old_gru.count_params() == 17_856
    recurrent = lstm.get_weights()[1]  # orthogonal, as Keras initialises it
    np.testing.assert_allclose(recurrent @ recurrent.T, np.eye(128), atol=1e-4)


def test_gru_reset_before(rng):
    weights = keras_weights(rng, "GRU", 3, 4, reset_after=False)
    x = rng.normal(size=(2, 5, 3)).astype(np.float32)
    layer = layers.GRU(4, reset_after=False, return_sequences=True)
    layer.build_for((None, 5, 3))
    layer.set_weights(weights)
    expected, _ = reference("GRU", weights, x, [np.zeros((2, 4), np.float32)])
    np.testing.assert_allclose(layer(torch.from_numpy(x)).detach().numpy(), expected, rtol=1e-5, atol=1e-5)


def test_other_activations_run_stepwise(rng):
    weights = keras_weights(rng, "SimpleRNN", 3, 4)
    x = rng.normal(size=(2, 5, 3)).astype(np.float32)
    layer = layers.SimpleRNN(4, activation="sigmoid", return_sequences=True)
    layer.build_for((None, 5, 3))
    layer.set_weights(weights)
    kernel, recurrent, bias = weights
    expected, _ = run_numpy(
        lambda x_t, h: rnn_step(x_t, h, kernel, recurrent, bias, activation=sigmoid), x, (np.zeros((2, 4)),)
    )
    np.testing.assert_allclose(layer(torch.from_numpy(x)).detach().numpy(), expected, rtol=1e-5, atol=1e-5)


@pytest.mark.parametrize("kind", ["LSTM", "GRU", "SimpleRNN"])
@pytest.mark.parametrize("go_backwards", [False, True])
def test_masked_steps_follow_keras(rng, kind, go_backwards):
    """Masking marks all-zero steps (padding, here at the end and in the middle); masked steps
    keep the state and repeat the previous output, as Keras's loop does."""
    x = rng.normal(size=(3, 6, 4)).astype(np.float32)
    x[0, 4:] = 0
    x[1, 2] = 0
    mask = (x != 0).any(-1)
    weights = keras_weights(rng, kind, 4, 5)
    initial = [np.zeros((3, 5), np.float32)] * STATES[kind]
    flipped = mask[:, ::-1] if go_backwards else mask
    outputs, states = reference(
        kind, weights, x[:, ::-1] if go_backwards else x, initial, mask=flipped
    )  # the reference walks the reversed sequence forwards
    model = keras.Sequential(
        [
            layers.Input(shape=(6, 4)),
            layers.Masking(0.0),
            getattr(layers, kind)(5, return_sequences=True, go_backwards=go_backwards),
        ]
    )
    model.layers[-1].set_weights(weights)
    got = model.predict(x, verbose=0)
    np.testing.assert_allclose(got, outputs, rtol=1e-5, atol=1e-5)
    # padding at the end changes nothing: the last output equals that of the shorter sequence
    if not go_backwards:
        short = getattr(layers, kind)(5)
        short.build_for((None, 4, 4))
        short.set_weights(weights)
        np.testing.assert_allclose(
            short(torch.from_numpy(x[:1, :4])).detach().numpy()[0], got[0, -1], rtol=1e-5, atol=1e-5
        )


def test_embedding_mask_zero_feeds_the_lstm(rng):
    ids = np.array([[3, 1, 4, 0, 0], [2, 7, 1, 8, 2]])
    model = keras.Sequential([layers.Input(shape=(5,)), layers.Embedding(10, 3, mask_zero=True), layers.LSTM(4)])
    table = model.layers[0].get_weights()[0]
    vectors = model.layers[0](torch.from_numpy(ids).float())
    np.testing.assert_array_equal(vectors.detach().numpy(), table[ids])
    np.testing.assert_array_equal(vectors._keras_mask.numpy(), ids != 0)
    weights = model.layers[1].get_weights()
    padded = model.predict(ids.astype(np.float32), verbose=0)
    expected, _ = reference("LSTM", weights, table[ids[:1, :3]], [np.zeros((1, 4))] * 2)
    np.testing.assert_allclose(padded[0], expected[0, -1], rtol=1e-5, atol=1e-5)  # padding skipped
    with pytest.raises(ValueError, match=r"Embedding 'embedding.*ids must be in \[0, 10\)"):
        model.layers[0](torch.tensor([[11.0, 1.0]]))


@pytest.mark.parametrize("merge_mode", ["concat", "sum", "mul", "ave", None])
def test_bidirectional_merge_modes(rng, merge_mode):
    x = rng.normal(size=(2, 5, 3)).astype(np.float32)
    layer = layers.Bidirectional(layers.GRU(4, return_sequences=True), merge_mode=merge_mode)
    layer.build_for((None, 5, 3))
    forward_w, backward_w = keras_weights(rng, "GRU", 3, 4), keras_weights(rng, "GRU", 3, 4)
    layer.set_weights(forward_w + backward_w)  # Keras's order: forward's weights, then backward's
    zeros = [np.zeros((2, 4), np.float32)]
    forward, _ = reference("GRU", forward_w, x, zeros)
    backward, _ = reference("GRU", backward_w, x, zeros, go_backwards=True)
    backward = backward[:, ::-1]  # back into time order
    expected = {
        "concat": np.concatenate([forward, backward], -1),
        "sum": forward + backward,
        "mul": forward * backward,
        "ave": (forward + backward) / 2,
        None: [forward, backward],
    }[merge_mode]
    got = layer(torch.from_numpy(x))
    if merge_mode is None:
        for a, b in zip(got, expected):
            np.testing.assert_allclose(a.detach().numpy(), b, rtol=1e-5, atol=1e-5)
    else:
        np.testing.assert_allclose(got.detach().numpy(), expected, rtol=1e-5, atol=1e-5)
        assert layer.compute_output_shape((None, 5, 3)) == (None, *got.shape[1:])
    last = layers.Bidirectional(layers.LSTM(4), merge_mode="concat")
    assert last(torch.from_numpy(x)).shape == (2, 8)


def test_stateful_layers_carry_their_state(rng):
    x = rng.normal(size=(2, 8, 3)).astype(np.float32)
    whole = layers.LSTM(4, return_sequences=True)
    whole.build_for((None, 8, 3))
    halves = layers.LSTM(4, return_sequences=True, stateful=True)
    halves.build_for((None, 4, 3))
    halves.set_weights(whole.get_weights())
    expected = whole(torch.from_numpy(x)).detach().numpy()
    first = halves(torch.from_numpy(x[:, :4])).detach().numpy()
    second = halves(torch.from_numpy(x[:, 4:])).detach().numpy()
    np.testing.assert_allclose(np.concatenate([first, second], 1), expected, rtol=1e-5, atol=1e-6)
    halves.reset_states()
    np.testing.assert_allclose(halves(torch.from_numpy(x[:, :4])).detach().numpy(), first, rtol=1e-6)
    with pytest.raises(ValueError, match="same batch size every call"):
        halves(torch.from_numpy(x[:1, :4]))


def test_dropout_only_in_training(rng):
    x = torch.from_numpy(rng.normal(size=(4, 6, 3)).astype(np.float32))
    layer = layers.LSTM(5, dropout=0.5, recurrent_dropout=0.3)
    layer.build_for((None, 6, 3))
    layer.eval()
    inference = layer(x)
    torch.testing.assert_close(layer(x), inference)
    plain = layers.LSTM(5)
    plain.build_for((None, 6, 3))
    plain.set_weights(layer.get_weights())
    torch.testing.assert_close(plain(x), inference)  # no dropout at inference
    layer.train()
    assert not torch.allclose(layer(x), inference)


def test_a_sequence_model_trains_saves_and_loads(rng, tmp_path):
    x = rng.integers(1, 20, (64, 7)).astype(np.float32)
    x[:, 5:] = 0
    y = (x[:, 0] > 10).astype(np.int64)  # depends on the first token: the network must remember it
    inputs = layers.Input(shape=(7,))
    hidden = layers.Embedding(20, 8, mask_zero=True)(inputs)
    hidden = layers.Bidirectional(layers.LSTM(8, return_sequences=True))(hidden)
    hidden = layers.TimeDistributed(layers.Dense(4, activation="relu"))(hidden)
    hidden = layers.GRU(8)(hidden)
    model = keras.Model(inputs, layers.Dense(2, activation="softmax")(hidden))
    model.compile(optimizer=keras.optimizers.Adam(0.01), loss="sparse_categorical_crossentropy", metrics=["accuracy"])
    history = model.fit(x, y, batch_size=16, epochs=15, verbose=0)
    assert history.history["accuracy"][-1] > 0.9
    model.save(tmp_path / "sequence.keras")
    loaded = load_model(tmp_path / "sequence.keras")
    np.testing.assert_allclose(loaded.predict(x, verbose=0), model.predict(x, verbose=0), rtol=1e-6, atol=1e-6)


def test_return_state_in_a_functional_graph(rng):
    inputs = layers.Input(shape=(5, 3))
    output, h, c = layers.LSTM(4, return_state=True)(inputs)
    model = keras.Model(inputs, [output, h, c])
    got = model.predict(rng.normal(size=(2, 5, 3)).astype(np.float32), verbose=0)
    np.testing.assert_allclose(got[0], got[1])  # the last output is h
    assert got[2].shape == (2, 4)


@pytest.mark.parametrize(
    "make, shape, message",
    [
        (lambda: layers.LSTM(4), (None, 5), "LSTM 'lstm.*expected input of rank 3 \\(batch, timesteps, features\\)"),
        (lambda: layers.LSTM(0), None, "units must be a positive int; received units=0"),
        (lambda: layers.GRU(3, dropout=1.5), None, "dropout must be a float in \\[0, 1\\); received dropout=1.5"),
        (lambda: layers.LSTM(3, activation="relu", use_cudnn=True), None, "use_cudnn=True needs the default"),
        (lambda: layers.Bidirectional(layers.Dense(3)), None, "Bidirectional needs a recurrent layer"),
        (lambda: layers.Bidirectional(layers.LSTM(3), merge_mode="max"), None, "merge_mode must be one of"),
        (lambda: layers.Embedding(0, 3), None, "input_dim must be a positive int"),
    ],
)
def test_bad_arguments_and_shapes(make, shape, message):
    with pytest.raises(ValueError, match=message):
        make().build_for(shape) if shape else make()


def test_bad_runtime_inputs_name_the_layer(rng):
    layer = layers.LSTM(4)
    layer.build_for((None, 5, 3))
    with pytest.raises(ValueError, match="was built for 3 features; received 6"):
        layer(torch.zeros(2, 5, 6))
    with pytest.raises(ValueError, match=r"initial_state must be 2 tensor\(s\) of shape \(2, 4\)"):
        layer(torch.zeros(2, 5, 3), initial_state=[torch.zeros(2, 4)])
    model = keras.Sequential([layers.Input(shape=(5, 3)), layers.LSTM(4)])
    model.compile(loss="mse")
    with pytest.raises(ValueError, match=r"expects inputs of shape \(5, 3\).*received x of shape \(2, 5\)"):
        model.predict(np.zeros((2, 5), np.float32), verbose=0)
