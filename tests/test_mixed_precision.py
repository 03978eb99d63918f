"""Mixed precision as Keras has it: float32 weights, forward passes in bfloat16/float16 through
torch.autocast, float16 losses scaled by a GradScaler; predictions come back as float32."""

import numpy as np
import pytest
import torch

import cnnkit as keras
from cnnkit import layers, mixed_precision


@pytest.fixture(autouse=True)
def _float32_afterwards():
    yield
    mixed_precision.set_global_policy("float32")


def small_model():
    keras.utils.set_random_seed(0)
    return keras.Sequential(
        [
            layers.Input(shape=(8, 8, 1)),
            layers.Conv2D(8, 3, activation="relu"),
            layers.Flatten(),
            layers.Dense(16, activation="relu", name="hidden"),
            layers.Dense(3, activation="softmax"),
        ]
    )


def data(rng):
    x = rng.random((128, 8, 8, 1), dtype=np.float32)
    return x, (x[:, :4].mean((1, 2, 3)) * 3).astype(np.int64).clip(0, 2)


@pytest.mark.parametrize("policy, dtype", [("mixed_bfloat16", torch.bfloat16), ("mixed_float16", torch.float16)])
def test_mixed_policies_compute_low_and_keep_float32_weights(rng, policy, dtype):
    x, y = data(rng)
    mixed_precision.set_global_policy(policy)
    assert mixed_precision.global_policy().compute_dtype == str(dtype).removeprefix("torch.")
    model = small_model()
    model.compile(optimizer=keras.optimizers.Adam(0.01), loss="sparse_categorical_crossentropy", metrics=["accuracy"])
    seen = []
    hook = model.get_layer("hidden").register_forward_hook(lambda m, i, out: seen.append(out.dtype))
    history = model.fit(x, y, batch_size=32, epochs=8, verbose=0)
    hook.remove()
    assert set(seen) == {dtype}  # the forward ran in the low precision
    assert all(p.dtype == torch.float32 for p in model.parameters())
    assert history.history["loss"][-1] < history.history["loss"][0]
    assert (model.training_setup.grad_scaler is not None) == (policy == "mixed_float16")
    predictions = model.predict(x, verbose=0)
    assert predictions.dtype == np.float32
    mixed_precision.set_global_policy("float32")
    exact = model.predict(x, verbose=0)
    np.testing.assert_allclose(predictions, exact, atol=0.03)  # the same model, rounded lower


def test_float32_is_untouched_and_bad_names_are_refused(rng):
    x, y = data(rng)
    model = small_model()
    model.compile(optimizer="adam", loss="sparse_categorical_crossentropy")
    seen = []
    model.get_layer("hidden").register_forward_hook(lambda m, i, out: seen.append(out.dtype))
    model.fit(x, y, batch_size=32, epochs=1, verbose=0)
    assert set(seen) == {torch.float32} and model.training_setup.grad_scaler is None
    with pytest.raises(ValueError, match="name must be one of float32, mixed_float16, mixed_bfloat16"):
        mixed_precision.set_global_policy("mixed_float8")


def test_float16_loss_scaling_survives_an_overflowing_step(rng):
    """A step whose scaled gradients overflow is skipped and the scale lowered, as Keras does."""
    x, y = data(rng)
    mixed_precision.set_global_policy("mixed_float16")
    model = small_model()
    model.compile(optimizer="sgd", loss="sparse_categorical_crossentropy")
    model.fit(x[:32], y[:32], batch_size=32, epochs=1, verbose=0)
    scaler = model.training_setup.grad_scaler
    before = [w.copy() for w in model.get_weights()]
    scaler.update(2.0**100)  # so large that the float16 gradients overflow
    model.fit(x[:32], y[:32], batch_size=32, epochs=1, verbose=0)
    for a, b in zip(before, model.get_weights()):
        np.testing.assert_array_equal(a, b)  # the overflowing update was skipped
    assert scaler.get_scale() == 2.0**99  # and the scale halved for the next step


def test_recurrent_layers_run_in_float32_under_a_cpu_policy(rng):
    # oneDNN has no bfloat16 LSTM on many CPUs; the layer must still run (and here, exactly as in
    # float32), and a model with it trains under the policy.
    x = torch.from_numpy(rng.random((16, 7, 5), dtype=np.float32))
    for layer in (layers.LSTM(6), layers.GRU(6), layers.SimpleRNN(6)):
        expected = layer(x)
        with torch.autocast("cpu", dtype=torch.bfloat16):
            got = layer(x)
        assert got.dtype == torch.float32
        torch.testing.assert_close(got, expected, rtol=0, atol=0)
    mixed_precision.set_global_policy("mixed_bfloat16")
    model = keras.Sequential([layers.Input(shape=(7, 5)), layers.LSTM(6), layers.Dense(3, activation="softmax")])
    model.compile(optimizer="adam", loss="sparse_categorical_crossentropy")
    history = model.fit(x.numpy(), rng.integers(0, 3, 16), batch_size=8, epochs=1, verbose=0)
    assert np.isfinite(history.history["loss"][0])
