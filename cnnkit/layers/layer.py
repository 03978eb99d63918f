"""The Layer base class: a torch.nn.Module with Keras's life-cycle and weight bookkeeping.

A layer's life has four steps, as in Keras: `__init__` stores and validates hyper-parameters,
`build(input_shape)` creates the weights, `compute_output_shape` is pure shape arithmetic, and
`call` computes. `forward` (what torch calls) builds on first use, then calls `call`.
Shapes given to `build` and `compute_output_shape` are channels-last with the batch axis first
(`(None, 28, 28, 1)`); tensors reaching cnnkit's own `call`s are NCHW, while a user's layer's
`call` sees images channels-last, as Keras's (users_call.py).
"""

from __future__ import annotations

import functools
import math
from collections.abc import Callable, Iterator
from contextlib import contextmanager, nullcontext
from typing import Any

import numpy as np
import torch
from torch import nn

from cnnkit import constraints, initializers, regularizers, session
from cnnkit.common import registry
from cnnkit.common.layout import (
    API_LAYOUT,
    Shape,
    api_channels_first,
    api_image_shape,
    api_shape,
    format_shape,
    from_api_array,
    is_api_data,
    to_api_layout,
    to_channels_first,
)
from cnnkit.common.symbolic import SymbolicValue
from cnnkit.layers import activity
from cnnkit.layers.node import call_symbolically, is_symbolic
from cnnkit.layers.users_call import defines_users_call, inside_users_call, run_users_call, users_code
from cnnkit.variables import Variable


@contextmanager
def running_as(module: nn.Module, training: bool) -> Iterator[None]:
    """Run `module` and everything in it in training (or inference) mode, then restore each
    one's own mode."""
    modes = [(m, m.training) for m in module.modules()]
    module.train(training)
    try:
        yield
    finally:
        for m, mode in modes:
            m.training = mode


def move_to(module: nn.Module, device: torch.device) -> nn.Module:
    """Move `module`'s weights to `device` if any are elsewhere. Models call this on a layer built
    before it joined them (called on its own, adapted, a pretrained base): training would mix
    devices otherwise. Weights made under `with torch.device("meta")` (shapes only, for counting)
    stay there."""
    tensors = [*module.parameters(), *module.buffers()]
    if not any(t.is_meta for t in tensors) and any(_elsewhere(t, torch.device(device)) for t in tensors):
        module.to(device)
    return module


def _elsewhere(tensor: torch.Tensor, device: torch.device) -> bool:
    """ "cuda" with no index means the current GPU, as torch reads it."""
    if tensor.device.type != device.type:
        return True
    return device.index is not None and tensor.device.index != device.index


def _python_number(value):
    """NumPy scalars as Python numbers (in tuples and lists too): `Dense(np.int64(46))`, as Keras
    programs compute sizes with NumPy; arrays and everything else as they are."""
    if isinstance(value, np.generic) and not isinstance(value, np.ndarray):
        return value.item()
    if type(value) in (tuple, list):  # plain ones only: a named tuple or ModuleList stays as given
        return type(value)(_python_number(item) for item in value)
    return value


def _python_numbers_in(init):
    @functools.wraps(init)
    def with_python_numbers(self, *args, **kwargs):
        args = tuple(_python_number(a) for a in args)
        init(self, *args, **{key: _python_number(value) for key, value in kwargs.items()})

    return with_python_numbers


def is_tensors(value) -> bool:
    """A tensor, or a non-empty list of them (a merge layer's input)."""
    if isinstance(value, (list, tuple)):
        return len(value) > 0 and all(isinstance(v, torch.Tensor) for v in value)
    return isinstance(value, torch.Tensor)


# 2**31 numbers (8 GiB of float32): 20 times VGG-16's largest weight, far below what a mistyped
# or crafted layer size asks for.
MAX_WEIGHT_ELEMENTS = 2**31


class Layer(nn.Module):
    """Base of every cnnkit layer and model.

    Subclasses that end in an activation which a loss can fuse (softmax, sigmoid) set
    `output_activation` to its name and implement `pre_activation(x)`, the output before it.
    """

    output_activation: str | None = None
    supports_masking = False  # True: a padding mask on the input is passed on to the output
    users_call = False  # True for a user's own layer: its call sees the API's layout (users_call.py)

    def __init_subclass__(cls, **kwargs) -> None:
        """cnnkit's own layers, models and zoo blocks register under their class names, so a saved
        model finds them (a user's classes are found through custom_objects, as in Keras)."""
        super().__init_subclass__(**kwargs)
        if cls.__module__.startswith("cnnkit."):
            registry.register("layer", cls)
            if "__init__" in cls.__dict__:
                cls.__init__ = _python_numbers_in(cls.__init__)
        elif cls.forward is Layer.forward and defines_users_call(cls):
            cls.users_call = True
            cls.forward = Layer._users_forward

    def __init__(
        self,
        *,
        name: str | None = None,
        trainable: bool = True,
        input_shape: tuple | None = None,
        batch_input_shape: tuple | None = None,
        batch_size: int | None = None,
        input_dim: int | None = None,
        dtype: Any = None,
        activity_regularizer=None,
        weights: list | None = None,
        **unknown: Any,
    ) -> None:
        super().__init__()
        kind = type(self).__name__
        if unknown:
            raise TypeError(f"{kind}: unknown argument(s) {', '.join(sorted(unknown))}.")
        if dtype not in (None, "float32", torch.float32):
            raise ValueError(f"{kind}: only float32 layers are supported; received dtype={dtype!r}.")
        self.name = name or session.unique_name(session.to_snake_case(kind))
        self.built = False
        self._trainable = bool(trainable)
        self._weight_names: list[str] = []
        self._to_keras_order: dict[str, tuple[int, ...] | None] = {}
        # Each weight's regularizer and constraint (add_weight(regularizer=..., constraint=...)), by name;
        # the loss adds the penalties (`losses`) and training applies the constraints after each update.
        self._weight_regularizers: dict[str, Callable] = {}
        self._weight_constraints: dict[str, Callable] = {}
        self.inbound_nodes: list = []  # one Node per call on symbolic tensors (the functional API)
        self.declared_input_shape = self._declared_shape(input_shape, batch_input_shape, input_dim)
        # Made where the program set image_data_format "channels_first": an `axis` argument names an
        # image's axes in that order (see api_axis).
        self._channels_first_axes = api_channels_first()
        # Keras 2's fixed batch size for a stateful RNN (batch_size=, or batch_input_shape's first
        # axis); cnnkit's layers take any batch size, and a stateful one checks it stays the same.
        self.declared_batch_size = batch_size if batch_input_shape is None else tuple(batch_input_shape)[0]
        self.activity_regularizer = regularizers.get(activity_regularizer)
        # Keras 2's `weights=[kernel, bias]`: set (Keras layout) once the layer is built.
        self._initial_weights = None if weights is None else list(weights)

    def _declared_shape(self, input_shape, batch_input_shape, input_dim) -> Shape | None:
        if batch_input_shape is not None:  # (channels, height, width) where the program set channels_first
            return (None, *api_image_shape(tuple(batch_input_shape)[1:]))
        if input_shape is not None:
            shape = (input_shape,) if isinstance(input_shape, int) else tuple(input_shape)
            if not all(d is None or (isinstance(d, int) and d > 0) for d in shape):
                raise self.error(f"input_shape must hold positive ints; received input_shape={input_shape!r}")
            return (None, *api_image_shape(shape))
        if input_dim is not None:
            return (None, int(input_dim))
        return None

    def api_axis(self, axis: int, rank: int) -> int:
        """The channels-last axis that the program's `axis` argument names for an input of `rank`.
        Under channels_first, axis 1 of an image is its channels (Keras 2's BatchNormalization(axis=1),
        concatenate(axis=1)); otherwise the axis as given."""
        if rank == 4 and self._channels_first_axes:
            return (0, 3, 1, 2)[axis % 4]
        return axis

    # ---- errors -------------------------------------------------------------------------------
    def error(self, message: str) -> ValueError:
        """A ValueError that names this layer, for messages that say what was received."""
        return ValueError(f"{type(self).__name__} '{self.name}': {message}.")

    def expect_rank(self, input_shape: Shape, rank: int, meaning: str) -> None:
        if len(input_shape) != rank:
            raise self.error(f"expected input of rank {rank} {meaning}; received shape {format_shape(input_shape)}")

    # ---- the Keras life-cycle -----------------------------------------------------------------
    def build(self, input_shape: Shape) -> None:
        self.built = True

    def compute_output_shape(self, input_shape: Shape) -> Shape:
        """cnnkit's layers that keep the shape rely on this; the others say their own. A user's
        layer that does not say is run once on zeros to find out, as Keras traces one."""
        if type(self).__module__.startswith("cnnkit."):
            return input_shape if isinstance(input_shape, list) else tuple(input_shape)
        return self._probed_output_shape(input_shape)

    @torch.no_grad()
    def _probed_output_shape(self, input_shape):
        """The output shape of `call` on zeros of `input_shape` (batch 2). A dimension unknown in
        the input is tried at two sizes; where the output differs between them it is unknown too."""
        if not self.built:
            self.build(input_shape)
            self.built = True
        device = next((t.device for t in (*self.parameters(), *self.buffers())), torch.device("cpu"))
        shapes = input_shape if isinstance(input_shape, list) else [input_shape]

        def run(size: int):
            samples = [
                to_channels_first(torch.zeros((2, *(size if d is None else d for d in s[1:])), device=device))
                for s in shapes
            ]
            was_training = self.training
            self.eval()
            try:
                given = samples if isinstance(input_shape, list) else samples[0]
                out = run_users_call(self, given, {}) if self.users_call else self.call(given)
            finally:
                self.train(was_training)
            return [api_shape(t) for t in out] if isinstance(out, (list, tuple)) else [api_shape(out)]

        try:
            first, second = run(8), run(16)
        except Exception:  # a call zeros do not suit (integer indices, say): assume the shape is kept
            return input_shape if isinstance(input_shape, list) else tuple(input_shape)
        merged = [(None, *(a if a == b else None for a, b in zip(one[1:], two[1:]))) for one, two in zip(first, second)]
        return merged if len(merged) > 1 else merged[0]

    def call(self, x: torch.Tensor) -> torch.Tensor:
        raise NotImplementedError(f"{type(self).__name__} does not implement call().")

    def __call__(self, *args, training: bool | None = None, **kwargs):
        """On tensors, torch's call (hooks, then `forward`); on KerasTensors, record a graph node.

        `training`, as in Keras: True or False runs this call in training or inference mode
        whatever mode the model is in (a frozen base model called with training=False keeps its
        BatchNormalization on the moving statistics while the new head trains); None follows it.
        NumPy arrays are taken channels-last, as at Keras's API, and images come back that way."""
        if (
            training is None
            and args
            and isinstance(args[0], torch.Tensor)
            and not getattr(args[0], API_LAYOUT, False)
            and not inside_users_call()
        ):
            return super().__call__(*args, **kwargs)  # the path of every call inside a model: nothing to do
        if training not in (None, True, False):
            raise self.error(f"training must be True, False or None; received training={training!r}")
        if args and is_symbolic(args[0]):
            named = getattr(self, "positional_keywords", ())
            if 1 < len(args) <= len(named) + 1:  # MultiHeadAttention(...)(query, value): value by name
                kwargs = {**dict(zip(named, args[1:])), **kwargs}
                args = args[:1]
            if len(args) > 1:
                raise self.error(
                    "on symbolic tensors a layer takes one positional argument (a tensor or a list of tensors); "
                    "pass the others by keyword (initial_state=, mask=, training=)"
                )
            return call_symbolically(self, args[0], training, kwargs)
        # Inside a user's call every tensor is in the API's layout (users_call.py), as NumPy data is.
        api_data = is_tensors if inside_users_call() else is_api_data
        arrays = bool(args) and api_data(args[0])
        if arrays:  # MultiHeadAttention(...)(query, value) takes several
            args = tuple(self.accept_arrays(a) if api_data(a) else a for a in args)
        with nullcontext() if training is None else running_as(self, training), users_code(False):
            result = super().__call__(*args, **kwargs)
        return to_api_layout(result) if arrays else result

    def accept_arrays(self, x):
        """API data (NumPy arrays, or tensors a layer returned for them) as run-time tensors on this
        layer's device."""
        device = next((t.device for t in (*self.parameters(), *self.buffers())), None)
        return [from_api_array(a, device) for a in x] if isinstance(x, (list, tuple)) else from_api_array(x, device)

    def forward(self, x: torch.Tensor) -> torch.Tensor:
        return self._forward(x, None)

    def _users_forward(self, x, **keywords):
        """A user's layer's forward: its call gets the keywords too (initial_state=, start_index=)."""
        return self._forward(x, keywords)

    def _forward(self, x, keywords: dict | None):
        if not self.built:
            shape = [api_shape(t) for t in x] if isinstance(x, (list, tuple)) else api_shape(x)
            device = x[0].device if isinstance(x, (list, tuple)) else x.device
            self.build_for(shape, device)
        out = self.call(x) if keywords is None else run_users_call(self, x, keywords)
        if self.activity_regularizer is not None:
            activity.record(self.activity_regularizer, out)
        if self.supports_masking:  # pass a padding mask on (see layers/core/masking.py)
            mask = getattr(x, "_keras_mask", None)
            if mask is not None and isinstance(out, torch.Tensor) and out is not x:
                out._keras_mask = mask
        return out

    def build_for(self, input_shape: Shape | list[Shape], device: torch.device | None = None) -> Shape:
        """Build (once) for `input_shape` and return the output shape; weights go to `device`.
        Layers that take several inputs (merge layers) get a list of shapes."""
        input_shape = [tuple(s) for s in input_shape] if isinstance(input_shape, list) else tuple(input_shape)
        was_built = self.built
        output_shape = self.compute_output_shape(input_shape)  # a user's layer may build itself to find it
        if not self.built:
            self.build(input_shape)
            self.built = True
        if self._initial_weights is not None:
            initial, self._initial_weights = self._initial_weights, None
            self.set_weights(initial)
        if not was_built and device is not None:
            move_to(self, device)
        return output_shape

    def _first_call(self, what: str):
        if not self.inbound_nodes:
            # AttributeError, as Keras raises it: hasattr(layer, "input") is then simply False
            message = f"has no {what} yet: it has not been called on a symbolic tensor (Input(...))"
            raise AttributeError(f"{type(self).__name__} '{self.name}': {message}.")
        return self.inbound_nodes[0]

    @property
    def input(self):
        """The symbolic input(s) of this layer's first call in a functional graph."""
        node = self._first_call("input")
        if not node.inputs:  # an InputLayer's node reads nothing: its input is the tensor it makes
            return node.outputs[0]
        return node.inputs if node.takes_list else node.inputs[0]

    @property
    def output(self):
        """The symbolic output(s) of this layer's first call; `Model(inputs, layer.output)` cuts a graph."""
        outputs = self._first_call("output").outputs
        return outputs[0] if len(outputs) == 1 else outputs

    # ---- weights ------------------------------------------------------------------------------
    def add_weight(
        self,
        name: str | None = None,
        shape: tuple[int, ...] | None = None,
        initializer: Callable | str | None = None,
        trainable: bool = True,
        torch_order: tuple[int, ...] | None = None,
        *,
        dtype=None,
        regularizer=None,
        constraint=None,
        **keras_only,
    ) -> torch.Tensor:
        """Create a weight from a Keras-layout `shape`, stored permuted by `torch_order`.

        Trainable weights become parameters; the others (moving statistics) persistent buffers.
        A user's layer may call it as Keras does: by keyword, or Keras 3's positional
        `add_weight(shape, initializer)`; `initializer` by name ("glorot_uniform" when None);
        `regularizer` and `constraint` act on this weight. Keras's distribution arguments
        (aggregation, synchronization, autocast) change nothing here.
        """

        if isinstance(name, (tuple, list, int)):  # Keras 3's order: add_weight(shape, initializer)
            name, shape, initializer = None, name, shape if shape is not None else initializer
        unknown = set(keras_only) - {"aggregation", "synchronization", "autocast", "use_resource", "partitioner"}
        if unknown:
            raise self.error(f"add_weight: unknown argument(s) {', '.join(sorted(unknown))}")
        if dtype not in (None, "float32", torch.float32):
            raise self.error(f"add_weight: only float32 weights are supported; received dtype={dtype!r}")
        shape = (shape,) if isinstance(shape, int) else tuple(shape if shape is not None else ())
        name = name or self._free_weight_name()
        initializer = initializers.get(initializer if initializer is not None else "glorot_uniform")
        if regularizer is not None:
            self._weight_regularizers[name] = regularizers.get(regularizer)
        if constraint is not None:
            self._weight_constraints[name] = constraints.get(constraint)
        size = math.prod(shape)
        if size > MAX_WEIGHT_ELEMENTS:  # a typo or a crafted config: refused before memory is asked for
            raise self.error(
                f"weight {name} of shape {tuple(shape)} would hold {size:,} numbers ({size * 4 / 2**30:,.0f} GiB); "
                f"cnnkit refuses weights over {MAX_WEIGHT_ELEMENTS:,}"
            )
        try:
            value = torch.as_tensor(initializer(tuple(shape), dtype=torch.float32), dtype=torch.float32)
        except (MemoryError, torch.OutOfMemoryError) as error:
            raise self.error(f"weight {name} of shape {tuple(shape)} does not fit in memory ({error})") from None
        if tuple(value.shape) != tuple(shape):
            raise self.error(f"initializer for {name} returned shape {tuple(value.shape)}, expected {shape}")
        if torch_order is not None:
            value = value.permute(torch_order)
        value = value.contiguous()
        if trainable:
            variable = Variable(value, requires_grad=self._trainable)
            variable.keras_to_torch = torch_order
            self.register_parameter(name, variable)
        else:
            self.register_buffer(name, value)
        self._weight_names.append(name)
        self._to_keras_order[name] = None if torch_order is None else tuple(np.argsort(torch_order))
        return getattr(self, name)

    def __setattr__(self, name: str, value) -> None:
        """`self.w = self.add_weight(...)`, as Keras's guide writes it: the weight takes the
        attribute's name if add_weight named it "variable..." for want of one, and is otherwise
        only referred to again, not registered twice (which would save it twice)."""
        registered = None
        if isinstance(value, torch.Tensor) and not name.startswith("_") and "_weight_names" in self.__dict__:
            registered = next((n for n in self._weight_names if getattr(self, n) is value and n != name), None)
        if registered is None:
            super().__setattr__(name, value)
        elif registered.startswith("variable") and name not in self._weight_names:
            self._rename_weight(registered, name)
        else:
            object.__setattr__(self, name, value)

    def _rename_weight(self, old: str, new: str) -> None:
        store = self._parameters if old in self._parameters else self._buffers
        store[new] = store.pop(old)
        self._weight_names[self._weight_names.index(old)] = new
        self._to_keras_order[new] = self._to_keras_order.pop(old)
        for settings in (self._weight_regularizers, self._weight_constraints):
            if old in settings:
                settings[new] = settings.pop(old)

    def _free_weight_name(self) -> str:
        """Keras's name for an unnamed weight: "variable", then "variable_1", ..."""
        taken = set(self._weight_names) | set(vars(self)) | {n for n, _ in self.named_children()}
        return next(name for i in range(len(taken) + 1) if (name := "variable" + (f"_{i}" if i else "")) not in taken)

    def _own_weights(self) -> list[tuple[str, torch.Tensor, bool]]:
        """(name, tensor, counts as trainable) for this layer's own weights, in Keras's order."""
        weights = []
        for name in self._weight_names:
            tensor = getattr(self, name)
            weights.append((name, tensor, isinstance(tensor, nn.Parameter) and self.trainable))
        return weights

    def _sublayers(self):
        """Direct sub-modules, looking through ModuleList/ModuleDict containers."""
        for child in self.children():
            if isinstance(child, (nn.ModuleList, nn.ModuleDict)):
                yield from child.children()
            else:
                yield child

    def _all_weights(self) -> list[tuple[torch.Tensor, bool, Layer, str]]:
        found = [(tensor, trainable, self, name) for name, tensor, trainable in self._own_weights()]
        for child in self._sublayers():
            if isinstance(child, Layer):
                found.extend(child._all_weights())
            else:  # a plain torch module used inside a layer: its parameters are trainable weights
                found.extend((p, p.requires_grad and self.trainable, self, "") for p in child.parameters())
                found.extend((b, False, self, "") for b in child.buffers())
        return found

    @property
    def losses(self) -> list[torch.Tensor]:
        """The regularization penalties of this layer's weights and of every layer inside it, as
        Keras's `layer.losses`; training adds their sum to the loss."""
        penalties = []
        for module in self.modules():
            for name, regularizer in getattr(module, "_weight_regularizers", {}).items():
                penalties.append(regularizer(getattr(module, name)))
        return penalties

    def add_loss(self, loss) -> None:
        """Keras's add_loss. Inside `call`, a tensor computed there joins this step's loss (a
        variational autoencoder's KL term). A functional model also takes a symbolic tensor of
        its graph (`vae.add_loss(K.mean(...))`), which it computes at every step."""
        if isinstance(loss, SymbolicValue):
            raise self.error(
                "add_loss of a symbolic tensor belongs on the functional Model whose graph computes it "
                "(model.add_loss(tensor)); inside a layer's call, pass the real tensor"
            )
        if callable(loss):
            raise self.error("add_loss takes a tensor; Keras 2's zero-argument function form is not supported")
        activity.add(loss)

    def constrained_weights(self) -> list[tuple[torch.Tensor, tuple[int, ...] | None, Callable]]:
        """(weight, its permutation to Keras's layout or None, constraint) for every constrained
        weight of this layer and the layers inside it."""
        found = []
        for module in self.modules():
            for name, constraint in getattr(module, "_weight_constraints", {}).items():
                found.append((getattr(module, name), module._to_keras_order.get(name), constraint))
        return found

    @property
    def weights(self) -> list[torch.Tensor]:
        return [tensor for tensor, _, _, _ in self._all_weights()]

    @property
    def trainable_weights(self) -> list[torch.Tensor]:
        return [tensor for tensor, trainable, _, _ in self._all_weights() if trainable]

    @property
    def non_trainable_weights(self) -> list[torch.Tensor]:
        return [tensor for tensor, trainable, _, _ in self._all_weights() if not trainable]

    def count_params(self) -> int:
        """All weights, moving statistics included (Keras counts those as non-trainable)."""
        return sum(tensor.numel() for tensor in self.weights)

    def get_weights(self) -> list[np.ndarray]:
        """The weights as NumPy arrays in Keras's layout (a Conv2D kernel is (kh, kw, in, out))."""
        arrays = []
        for tensor, _, owner, name in self._all_weights():
            value = tensor.detach().cpu()
            order = owner._to_keras_order.get(name) if name else None
            if order is not None:
                value = value.permute(order)
            arrays.append(value.numpy().copy())
        return arrays

    def set_weights(self, arrays: list) -> None:
        """Set weights from Keras-layout arrays, in the order `get_weights` returns them."""
        slots = self._all_weights()
        if len(arrays) != len(slots):
            raise self.error(f"set_weights expected {len(slots)} arrays; received {len(arrays)}")
        for (tensor, _, owner, name), array in zip(slots, arrays):
            order = owner._to_keras_order.get(name) if name else None
            value = torch.as_tensor(np.asarray(array), dtype=tensor.dtype)
            expected = tensor.shape if order is None else tensor.permute(order).shape
            if tuple(value.shape) != tuple(expected):
                raise owner.error(
                    f"set_weights: weight {name or '?'} needs shape {tuple(expected)}; received {tuple(value.shape)}"
                )
            if order is not None:
                value = value.permute(tuple(np.argsort(order)))
            with torch.no_grad():
                tensor.copy_(value)

    @property
    def trainable(self) -> bool:
        return self._trainable

    @trainable.setter
    def trainable(self, value: bool) -> None:
        """Freeze or unfreeze this layer and everything inside it, as in Keras."""
        for module in self.modules():
            if isinstance(module, Layer):
                module._trainable = bool(value)
            for tensor in module.parameters(recurse=False):
                tensor.requires_grad_(bool(value))

    # ---- config ------------------------------------------------------------------------------
    def get_config(self) -> dict:
        config: dict[str, Any] = {"name": self.name, "trainable": self.trainable}
        if self.declared_input_shape is not None:
            config["input_shape"] = self.declared_input_shape[1:]
        if self.activity_regularizer is not None:
            config["activity_regularizer"] = regularizers.serialize(self.activity_regularizer)
        return config

    @classmethod
    def from_config(cls, config: dict) -> Layer:
        return cls(**config)

    def extra_repr(self) -> str:
        config = self.get_config()
        config.pop("trainable", None)
        return ", ".join(f"{key}={value!r}" for key, value in config.items())
