"""TensorBoard: each epoch's logs as TensorBoard scalars."""

from __future__ import annotations

import os

from cnnkit.callbacks.callback import Callback


class TensorBoard(Callback):
    """Epoch scalars for TensorBoard through torch's own SummaryWriter: `epoch_loss`,
    `epoch_accuracy`, ... under `log_dir/train` and `log_dir/validation`, as Keras writes them."""

    main_process_only = True

    def __init__(self, log_dir: str | os.PathLike = "logs", **kwargs) -> None:
        super().__init__()
        try:
            from torch.utils.tensorboard import SummaryWriter
        except ImportError:
            raise ImportError(
                "TensorBoard needs the tensorboard package, which is not installed: pip install tensorboard"
            ) from None
        self.log_dir, self._writer_class, self.writers = os.fspath(log_dir), SummaryWriter, {}

    def on_train_begin(self, logs=None) -> None:
        for part in ("train", "validation"):
            self.writers[part] = self._writer_class(os.path.join(self.log_dir, part))

    def on_epoch_end(self, epoch, logs=None) -> None:
        for key, value in (logs or {}).items():
            part, name = ("validation", key[4:]) if key.startswith("val_") else ("train", key)
            values = value if isinstance(value, list) else [value]
            for i, number in enumerate(values):  # a per-class metric: one curve per class
                tag = f"epoch_{name}" if len(values) == 1 and not isinstance(value, list) else f"epoch_{name}/{i}"
                self.writers[part].add_scalar(tag, number, epoch)
        for writer in self.writers.values():
            writer.flush()

    def on_train_end(self, logs=None) -> None:
        for writer in self.writers.values():
            writer.close()
