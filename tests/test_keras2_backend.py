"""Keras 2's backend functions and Sequential methods that older tutorials call: K.set_value and
K.get_value on the learning rate, K.eval, K.int_shape, predict_classes and predict_proba."""

import numpy as np
import pytest
import torch

import cnnkit as keras
from cnnkit import backend as K
from cnnkit import layers


def classifier(classes=3):
    model = keras.Sequential(
        [layers.Input((4,)), layers.Dense(classes, activation="softmax" if classes > 1 else "sigmoid")]
    )
    model.compile(loss="mse", optimizer=keras.optimizers.SGD(learning_rate=0.1))
    return model


def test_learning_rate_set_as_keras_2_callbacks_do(rng):
    model = classifier()
    assert K.get_value(model.optimizer.lr) == pytest.approx(0.1)
    K.set_value(model.optimizer.lr, 0.01)  # a step-decay callback's line
    assert model.optimizer.learning_rate == pytest.approx(0.01)
    model.optimizer.learning_rate.assign(0.005)  # Keras 3's variable form
    assert K.eval(model.optimizer.learning_rate) == pytest.approx(0.005)
    history = model.fit(rng.random((8, 4)), rng.random((8, 3)), epochs=1, verbose=0)
    assert "learning_rate" not in history.history  # Keras 3 logs it only under a rate callback
    assert float(model.optimizer.learning_rate) == pytest.approx(0.005)
    with pytest.raises(TypeError, match="cannot be set in place"):
        K.set_value(0.1, 0.2)


def test_tensors_and_shapes(rng):
    weight = torch.zeros(2, 3)
    K.set_value(weight, np.ones((2, 3)))
    np.testing.assert_array_equal(K.get_value(weight), np.ones((2, 3)))
    assert K.int_shape(layers.Input((28, 28, 1))) == (None, 28, 28, 1)
    assert K.int_shape(torch.zeros(5, 1, 28, 28)) == (5, 28, 28, 1)  # images reported channels-last


def test_predict_classes_and_proba(rng):
    x = rng.random((6, 4)).astype("float32")
    softmax = classifier(3)
    np.testing.assert_array_equal(softmax.predict_classes(x), softmax.predict(x, verbose=0).argmax(-1))
    sigmoid = classifier(1)
    expected = (sigmoid.predict(x, verbose=0) > 0.5).astype("int32")
    np.testing.assert_array_equal(sigmoid.predict_classes(x), expected)
    np.testing.assert_array_equal(sigmoid.predict_proba(x), sigmoid.predict(x, verbose=0))


def test_backend_math_matches_numpy(rng):
    x, y = rng.random((3, 4)).astype("float32"), rng.random((3, 4)).astype("float32")
    cases = {
        "mean": (K.mean(x, axis=1), x.mean(axis=1)),
        "sum keepdims": (K.sum(x, axis=-1, keepdims=True), x.sum(axis=-1, keepdims=True)),
        "max": (K.max(x, axis=0), x.max(axis=0)),
        "pow": (K.pow(x, 3), x**3),
        "clip": (K.clip(x, 0.2, 0.7), np.clip(x, 0.2, 0.7)),
        "maximum": (K.maximum(x, y), np.maximum(x, y)),
        "l2_normalize": (K.l2_normalize(x, axis=1), x / np.linalg.norm(x, axis=1, keepdims=True)),
        "permute": (K.permute_dimensions(x, (1, 0)), x.T),
        "batch_flatten": (K.batch_flatten(np.ones((2, 3, 4))), np.ones((2, 12))),
        "dot": (K.dot(x, y.T), x @ y.T),
        "softmax": (K.softmax(x), np.exp(x) / np.exp(x).sum(axis=-1, keepdims=True)),
        "relu alpha": (K.relu(x - 0.5, alpha=0.1), np.where(x > 0.5, x - 0.5, 0.1 * (x - 0.5))),
        "hard_sigmoid": (K.hard_sigmoid(x * 8 - 4), np.clip(0.2 * (x * 8 - 4) + 0.5, 0, 1)),
        "concatenate": (K.concatenate([x, y]), np.concatenate([x, y], axis=-1)),
        "switch": (K.switch(x > 0.5, x, y), np.where(x > 0.5, x, y)),
        "repeat": (K.repeat(x, 2), np.repeat(x[:, None, :], 2, axis=1)),
    }
    for name, (got, want) in cases.items():
        np.testing.assert_allclose(K.get_value(got), want, rtol=1e-5, atol=1e-6, err_msg=name)
    assert K.shape(x)[0] == 3 and K.ndim(x) == 2 and K.epsilon() == 1e-7


def test_batch_dot_matches_einsum(rng):
    a, b = rng.random((2, 3, 4)), rng.random((2, 5, 4))
    np.testing.assert_allclose(K.batch_dot(a, b, axes=(2, 2)), np.einsum("bij,bkj->bik", a, b), rtol=1e-6)
    c, d = rng.random((2, 4)), rng.random((2, 4))
    np.testing.assert_allclose(K.batch_dot(c, d, axes=1), (c * d).sum(axis=1, keepdims=True), rtol=1e-6)
    e = rng.random((2, 4, 6))
    np.testing.assert_allclose(K.batch_dot(a, e), np.einsum("bij,bjk->bik", a, e), rtol=1e-6)


def test_k_function_reads_a_layers_output(rng):
    inputs = layers.Input((4,))
    hidden = layers.Dense(3, activation="relu", name="hidden")(inputs)
    dropped = layers.Dropout(0.5)(hidden)
    model = keras.Model(inputs, layers.Dense(2)(dropped))
    get_hidden = K.function([model.input, K.learning_phase()], [model.get_layer("hidden").output, dropped])
    x = rng.random((5, 4)).astype("float32")
    hidden_out, inference = get_hidden([x, 0])
    kernel, bias = model.get_layer("hidden").get_weights()
    np.testing.assert_allclose(hidden_out, np.maximum(x @ kernel + bias, 0), rtol=1e-5)
    np.testing.assert_array_equal(inference, hidden_out)  # learning phase 0: no dropout


def test_k_gradients_climb_an_input_image_as_deep_dream_does(rng):
    """K.placeholder, K.gradients and K.function as TensorFlow 1 programs use them, against torch's
    autograd on the same weights: image outputs come back channels-last (5 x 6, not transposed)."""
    image = K.placeholder((1, 5, 6, 3))
    conv = layers.Conv2D(2, 3, padding="same")
    features = conv(image)
    loss = K.mean(K.square(features[:, :, :, 1]))
    grads = K.gradients(loss, image)
    assert isinstance(grads, list) and grads[0].shape == (1, 5, 6, 3)
    normalized = grads[0] / K.maximum(K.mean(K.abs(grads[0])), K.epsilon())
    fetch = K.function([image], [loss, normalized, features])
    value = rng.standard_normal((1, 5, 6, 3)).astype("float32")
    got_loss, got_grads, got_features = fetch([value])

    kernel, bias = (torch.tensor(w) for w in conv.get_weights())
    x = torch.tensor(value, requires_grad=True)
    out = torch.nn.functional.conv2d(x.permute(0, 3, 1, 2), kernel.permute(3, 2, 0, 1), bias, padding=1)
    expected_loss = (out[:, 1] ** 2).mean()
    expected_loss.backward()
    expected = x.grad.numpy() / np.abs(x.grad.numpy()).mean()
    np.testing.assert_allclose(got_loss, expected_loss.item(), rtol=1e-5)
    np.testing.assert_allclose(got_grads, expected, rtol=1e-4, atol=1e-6)
    np.testing.assert_allclose(got_features, out.permute(0, 2, 3, 1).detach().numpy(), rtol=1e-5, atol=1e-6)


def test_k_gradients_by_several_tensors_and_on_real_tensors(rng):
    a, b = layers.Input((3,)), layers.Input((3,))
    hidden = layers.Dense(4, name="dense_by_both")(layers.concatenate([a, b]))
    loss = K.sum(K.square(hidden)) + K.sum(a * b)
    grad_a, grad_b, grad_hidden = K.gradients(loss, [a, b, hidden])
    x, y = rng.random((2, 3)).astype("float32"), rng.random((2, 3)).astype("float32")
    got = K.function([a, b], [grad_a, grad_b, grad_hidden])([x, y])
    kernel, bias = (torch.tensor(w) for w in hidden_layer_weights(hidden))
    ta, tb = torch.tensor(x, requires_grad=True), torch.tensor(y, requires_grad=True)
    th = torch.cat([ta, tb], dim=1) @ kernel + bias
    th.retain_grad()
    ((th**2).sum() + (ta * tb).sum()).backward()
    for value, tensor in zip(got, (ta, tb, th)):
        np.testing.assert_allclose(value, tensor.grad.numpy(), rtol=1e-5, atol=1e-6)
    # on real tensors K.gradients is autograd's gradient of the summed loss
    t = torch.tensor(x, requires_grad=True)
    (eager,) = K.gradients(K.square(t), [t])
    np.testing.assert_allclose(eager.detach().numpy(), 2 * x, rtol=1e-6)
    with pytest.raises(ValueError, match="all be graph tensors"):
        K.gradients(loss, [t])
    with pytest.raises(ValueError, match="must record gradients"):
        K.gradients(K.square(t), [torch.tensor(x)])


def hidden_layer_weights(tensor):
    return tensor.node.layer.get_weights()


def test_a_model_output_made_of_gradients_is_predicted_recording_them():
    """As TensorFlow 1's graphs could: predict records gradients for a model whose graph takes them."""
    x = layers.Input((3,))
    y = layers.Dense(2)(x)
    model = keras.Model(x, K.gradients(K.sum(K.square(y)), [y])[0])
    data = np.ones((2, 3), "float32")
    dense = keras.Model(x, y).predict(data, verbose=0)
    np.testing.assert_allclose(model.predict(data, verbose=0), 2 * dense, rtol=1e-5)


def test_k_shape_of_an_image_of_any_size_is_read_when_the_graph_runs():
    image = layers.Input((None, None, 3))
    assert K.ndim(image) == 4
    sizes = K.shape(image)
    count = K.prod(K.cast(sizes, "float32"))
    got_sizes, got_count = K.function([image], [sizes, count])([np.zeros((2, 5, 7, 3), "float32")])
    assert got_sizes.tolist() == [2, 5, 7, 3] and got_count == 210
    assert K.shape(K.placeholder((1, 4, 3))) == (1, 4, 3)  # every size known: a tuple, as before


def test_a_placeholders_batch_is_known_and_indexing_it_away_works(rng):
    """neural_style_transfer.py's graph: three images in one batch (two constants and the
    placeholder), features of each read by indexing the batch axis."""
    combination = K.placeholder((1, 4, 4, 3))
    assert combination.shape == (1, 4, 4, 3)
    base, style = (K.variable(rng.random((1, 4, 4, 3))) for _ in range(2))
    batch = K.concatenate([base, style, combination], axis=0)
    features = layers.Conv2D(2, 3, padding="same")(batch)
    assert batch.shape == (3, 4, 4, 3) and features.shape == (3, 4, 4, 2)
    third = features[2, :, :, :]
    assert third.shape == (4, 4, 2)
    value = rng.random((1, 4, 4, 3)).astype("float32")
    (got,) = K.function([combination], [third])([value])
    everything = np.concatenate([K.get_value(base), K.get_value(style), value]).astype("float32")
    expected = features.node.layer(everything)[2]
    np.testing.assert_allclose(got, np.asarray(expected.detach()), rtol=1e-5, atol=1e-6)
