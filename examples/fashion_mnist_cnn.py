"""Program 1 of the tutorials: the Fashion-MNIST CNN, exactly as written for Keras.

Only the imports differ. Run: python examples/fashion_mnist_cnn.py [--epochs 20] [--data-dir DIR]
"""

import argparse
import time

import numpy as np

import cnnkit as keras
from cnnkit.datasets import fashion_mnist
from cnnkit.layers import Conv2D, Dense, Flatten, LeakyReLU, MaxPooling2D
from cnnkit.models import Sequential
from cnnkit.utils import to_categorical

parser = argparse.ArgumentParser(description=__doc__)
parser.add_argument("--epochs", type=int, default=20)
parser.add_argument("--batch-size", type=int, default=64)
parser.add_argument("--data-dir", default=None, help="folder with the four Fashion-MNIST .gz files")
parser.add_argument("--verbose", type=int, default=1)
args = parser.parse_args()

keras.utils.set_random_seed(0)
(train_X, train_Y), (test_X, test_Y) = fashion_mnist.load_data(args.data_dir)
train_X = train_X.reshape(-1, 28, 28, 1).astype("float32") / 255.0
test_X = test_X.reshape(-1, 28, 28, 1).astype("float32") / 255.0
train_Y_one_hot = to_categorical(train_Y)
test_Y_one_hot = to_categorical(test_Y)
# The tutorial keeps 20% of the training images for validation.
order = np.random.permutation(len(train_X))
split = int(0.8 * len(train_X))
train_X, valid_X = train_X[order[:split]], train_X[order[split:]]
train_label, valid_label = train_Y_one_hot[order[:split]], train_Y_one_hot[order[split:]]
num_classes = 10

fashion_model = Sequential()
fashion_model.add(Conv2D(32, kernel_size=(3, 3), activation="linear", input_shape=(28, 28, 1), padding="same"))
fashion_model.add(LeakyReLU(alpha=0.1))
fashion_model.add(MaxPooling2D((2, 2), padding="same"))
fashion_model.add(Conv2D(64, (3, 3), activation="linear", padding="same"))
fashion_model.add(LeakyReLU(alpha=0.1))
fashion_model.add(MaxPooling2D(pool_size=(2, 2), padding="same"))
fashion_model.add(Conv2D(128, (3, 3), activation="linear", padding="same"))
fashion_model.add(LeakyReLU(alpha=0.1))
fashion_model.add(MaxPooling2D(pool_size=(2, 2), padding="same"))
fashion_model.add(Flatten())
fashion_model.add(Dense(128, activation="linear"))
fashion_model.add(LeakyReLU(alpha=0.1))
fashion_model.add(Dense(num_classes, activation="softmax"))
fashion_model.compile(
    loss=keras.losses.categorical_crossentropy, optimizer=keras.optimizers.Adam(), metrics=["accuracy"]
)
fashion_model.summary()

start = time.perf_counter()
history = fashion_model.fit(
    train_X,
    train_label,
    batch_size=args.batch_size,
    epochs=args.epochs,
    verbose=args.verbose,
    validation_data=(valid_X, valid_label),
)
seconds = time.perf_counter() - start
loss, acc = fashion_model.evaluate(test_X, test_Y_one_hot, verbose=0)
probs = fashion_model.predict(test_X, verbose=0)
print(f"Trained {args.epochs} epoch(s) in {seconds:.0f}s on {fashion_model.device}.")
print(f"Test loss: {loss:.4f}  Test accuracy: {acc:.4f}  (predictions: {probs.shape})")
