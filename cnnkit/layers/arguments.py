"""Checks of the hyper-parameters layers share, each failing with one line that names the layer,
the argument and the value received, as Keras's errors do."""

from __future__ import annotations

from cnnkit import activations, constraints, initializers, regularizers
from cnnkit.common.checks import positive_int
from cnnkit.layers.layer import Layer


def as_pair(value: int | tuple | list, argument: str, owner: str) -> tuple[int, int]:
    """Keras accepts `3` or `(3, 3)` for two-dimensional sizes; both become a pair of ints."""
    pair = (value, value) if isinstance(value, int) else tuple(value)
    if len(pair) != 2 or not all(isinstance(v, int) and not isinstance(v, bool) for v in pair):
        raise ValueError(f"{owner}: {argument} must be an int or a pair of ints; received {argument}={value!r}.")
    return pair


FUSABLE_ACTIVATIONS = ("softmax", "sigmoid")


def set_activation(layer: Layer, activation) -> None:
    """`layer.activation` from a Keras name or callable; a softmax or sigmoid is also the layer's
    `output_activation`, which a cross-entropy loss can fuse (see Layer)."""
    layer.activation = activations.get(activation)
    layer.activation_name = activations.name_of(layer.activation)
    if layer.activation_name in FUSABLE_ACTIVATIONS:
        layer.output_activation = layer.activation_name


def set_weight_arguments(
    layer: Layer,
    activation,
    use_bias,
    kernel_initializer,
    bias_initializer,
    kernel_regularizer,
    bias_regularizer,
    kernel_constraint=None,
    bias_constraint=None,
) -> None:
    """What Dense and the convolutions take alike: the activation (a softmax or sigmoid one a
    cross-entropy loss can fuse, see Layer), the bias switch, and the kernel's and bias's
    initializers, regularizers and constraints, each resolved from Keras's names."""
    set_activation(layer, activation)
    layer.use_bias = bool(use_bias)
    layer.kernel_initializer = initializers.get(kernel_initializer)
    layer.bias_initializer = initializers.get(bias_initializer)
    layer.kernel_regularizer = regularizers.get(kernel_regularizer)
    layer.bias_regularizer = regularizers.get(bias_regularizer)
    layer.kernel_constraint = constraints.get(kernel_constraint)
    layer.bias_constraint = constraints.get(bias_constraint)


def weight_arguments_config(layer: Layer) -> dict:
    """set_weight_arguments' arguments as a saved config holds them."""
    return {
        "activation": layer.activation_name,
        "use_bias": layer.use_bias,
        "kernel_initializer": initializers.serialize(layer.kernel_initializer),
        "bias_initializer": initializers.serialize(layer.bias_initializer),
        "kernel_regularizer": regularizers.serialize(layer.kernel_regularizer),
        "bias_regularizer": regularizers.serialize(layer.bias_regularizer),
        "kernel_constraint": constraints.serialize(layer.kernel_constraint),
        "bias_constraint": constraints.serialize(layer.bias_constraint),
    }


def check_data_format(data_format: str | None, owner: str) -> None:
    """A layer's data_format: the session's image_data_format (None means it). Images meet the API
    in one layout per program, so a layer cannot ask for the other."""
    from cnnkit import session

    if data_format not in (None, session.image_data_format()):
        raise ValueError(
            f"{owner}: data_format={data_format!r} differs from the image_data_format set for the program "
            f"({session.image_data_format()!r}); cnnkit takes one layout at its API (tensors run NCHW inside)."
        )


def check_positive_pair(value, argument: str, owner: str) -> tuple[int, int]:
    pair = as_pair(value, argument, owner)
    if min(pair) <= 0:
        raise ValueError(f"{owner}: {argument} must be positive; received {argument}={value!r}.")
    return pair


def check_filters(layer: Layer, filters) -> int:
    return positive_int(filters, "filters", layer)


SEQUENCE = "(batch, steps, channels)"
VOLUME = "(batch, depth, height, width, channels)"


def one_positive_int(value, argument: str, layer: Layer) -> int:
    """A 1-D size: an int, or Keras's (3,) for 3."""
    if isinstance(value, (tuple, list)) and len(value) == 1:
        value = value[0]
    return positive_int(value, argument, layer)


def sequence_padding(padding, layer: Layer, allowed: tuple[str, ...]) -> str:
    mode = str(padding).lower()
    if mode not in allowed:
        raise layer.error(f"padding must be one of {', '.join(allowed)}; received padding={padding!r}")
    return mode


def add_kernel(layer: Layer, shape: tuple, torch_order: tuple[int, ...]) -> None:
    """The weight `kernel` of a layer whose set_weight_arguments set its initializer, regularizer
    and constraint: made in Keras's layout `shape`, stored permuted by `torch_order`."""
    layer.add_weight(
        "kernel",
        shape,
        layer.kernel_initializer,
        regularizer=layer.kernel_regularizer,
        constraint=layer.kernel_constraint,
        torch_order=torch_order,
    )


def add_bias(layer: Layer, size: int) -> None:
    """The weight `bias` (`size` values) when the layer uses one, else `layer.bias = None`."""
    if not layer.use_bias:
        layer.bias = None
        return
    layer.add_weight(
        "bias", (size,), layer.bias_initializer, regularizer=layer.bias_regularizer, constraint=layer.bias_constraint
    )


def as_tuple(value, rank: int, argument: str, layer: Layer) -> tuple[int, ...]:
    """Keras's `3` or `(3, 3)`: `rank` positive ints."""
    values = (value,) * rank if isinstance(value, int) and not isinstance(value, bool) else tuple(value)
    if len(values) != rank or not all(isinstance(v, int) and not isinstance(v, bool) and v > 0 for v in values):
        several = "" if rank == 1 else f" or a tuple of {rank}"
        raise layer.error(f"{argument} must be a positive int{several}; received {argument}={value!r}")
    return values
