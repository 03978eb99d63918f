"""model.export(path, format="onnx" | "torchscript"): a file that runs without cnnkit.

The exported graph takes what `predict` takes, channels-last images (batch, height, width,
channels) or sequences (batch, timesteps, features), with any batch size, and returns what the
model returns (probabilities for the zoo's softmax heads). Inference mode: dropout off, batch
normalisation on its moving statistics. ONNX goes through torch's own exporter (torch.export,
then onnxscript's translation) and needs `pip install onnx onnxscript`; running the file needs
onnxruntime or any other ONNX runtime. TorchScript is torch.jit's traced module, for C++ and
other torch runtimes (`torch.jit.load`).
"""

from __future__ import annotations

import contextlib
import io
import logging
import os
import re
import warnings

import torch
from torch import nn

from cnnkit.common.files import atomic_write

FORMATS = ("onnx", "torchscript")


class _ApiLayout(nn.Module):
    """The model behind an input in the API's layout: images channels-last, as predict takes them."""

    def __init__(self, model: nn.Module) -> None:
        super().__init__()
        self.model = model

    def forward(self, x: torch.Tensor) -> torch.Tensor:
        if x.dim() == 4:
            x = x.permute(0, 3, 1, 2)  # NHWC -> the NCHW the layers run on
        out = self.model(x)
        return out.permute(0, 2, 3, 1) if out.dim() == 4 else out


def _example_input(model) -> torch.Tensor:
    shape = model.input_shape
    if isinstance(shape, list):
        raise ValueError(f"export: {model.name} takes {len(shape)} inputs; export supports models with one input")
    if shape is None or any(d is None for d in shape[1:]):
        raise ValueError(f"export: {model.name} needs a known input shape (build it, or start it with Input(...))")
    device = next((p.device for p in model.parameters()), torch.device("cpu"))
    return torch.rand(2, *shape[1:], device=device)  # two samples: the batch axis stays a variable


def _onnx_bytes(wrapper: nn.Module, example: torch.Tensor, path: str) -> None:
    try:
        import onnx  # noqa: F401 (torch's exporter needs both)
        import onnxscript  # noqa: F401
    except ImportError:
        needs = "export(format='onnx') needs the onnx and onnxscript packages: pip install onnx onnxscript"
        raise ImportError(needs) from None
    batch = torch.export.Dim("batch")
    # The exporter narrates each of its passes on stdout, logs that torchvision's operators are
    # skipped and warns about its own deprecations: none of it concerns the user's model.
    exporter_log = logging.getLogger("torch.onnx")
    level = exporter_log.level
    exporter_log.setLevel(logging.ERROR)
    try:
        with contextlib.redirect_stdout(io.StringIO()), warnings.catch_warnings():
            warnings.simplefilter("ignore", FutureWarning)
            warnings.simplefilter("ignore", DeprecationWarning)
            program = _onnx_program(wrapper, example, batch)
    finally:
        exporter_log.setLevel(level)
    atomic_write(path, lambda stream: stream.write(program.model_proto.SerializeToString()))


def _onnx_program(wrapper: nn.Module, example: torch.Tensor, batch):
    return torch.onnx.export(
        wrapper,
        (example,),
        dynamo=True,
        input_names=["inputs"],
        output_names=["outputs"],
        dynamic_shapes={"x": {0: batch}},
        verbose=False,
    )


def _torchscript(wrapper: nn.Module, example: torch.Tensor, path: str) -> None:
    with torch.no_grad(), warnings.catch_warnings():
        # Image sizes are fixed in the trace (only the batch axis varies), which TracerWarning notes.
        warnings.simplefilter("ignore", torch.jit.TracerWarning)
        traced = torch.jit.trace(wrapper, (example,), check_trace=False)
    atomic_write(path, lambda stream: torch.jit.save(traced, stream))


def export_model(model, filepath, format: str = "onnx") -> None:
    if format not in FORMATS:
        raise ValueError(f"export: format must be one of {', '.join(FORMATS)}; received format={format!r}")
    example = _example_input(model)
    wrapper = _ApiLayout(model)
    was_training = model.training
    wrapper.eval()
    try:
        (_onnx_bytes if format == "onnx" else _torchscript)(wrapper, example, os.fspath(filepath))
    except ImportError:
        raise
    except Exception as error:  # torch.export / tracing: name the model and keep the first line
        text = re.sub(r"\x1b\[[0-9;]*m", "", str(error)).strip()  # torch colours its messages
        first_line = (text.splitlines() or [type(error).__name__])[0]
        raise RuntimeError(f"export: torch could not export {model.name} as {format}: {first_line}") from error
    finally:
        model.train(was_training)
