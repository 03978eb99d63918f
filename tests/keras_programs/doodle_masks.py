"""Keras 2's neural_doodle.py pattern: a VGG19 application on a K.concatenate of a constant style
image, a K.placeholder and zeros (input_tensor=), region masks as Input(tensor=K.variable(...))
pooled by a model that walks the application's layers after its input layer, and a style loss of
masked Gram matrices minimized with SciPy's L-BFGS through K.gradients and K.function."""

import numpy as np
from keras import backend as K
from keras.applications import vgg19
from keras.layers import AveragePooling2D, Input
from keras.models import Model
from scipy.optimize import fmin_l_bfgs_b

rows, cols, labels = 32, 32, 2
rng = np.random.default_rng(0)
style_image = K.variable(rng.random((1, rows, cols, 3)) * 255 - 128)
target_image = K.placeholder(shape=(1, rows, cols, 3))
images = K.concatenate([style_image, target_image, K.zeros(shape=(1, rows, cols, 3))], axis=0)
halves = np.zeros((1, rows, cols, labels), "float32")
halves[:, : rows // 2, :, 0], halves[:, rows // 2 :, :, 1] = 1, 1
masks = K.concatenate([K.variable(halves), K.variable(halves[:, ::-1])], axis=0)

image_model = vgg19.VGG19(include_top=False, input_tensor=images, weights=None)
mask_input = Input(tensor=masks, shape=(None, None, None), name="mask_input")
x = mask_input
for layer in image_model.layers[1:]:
    if "conv" in layer.name:
        x = AveragePooling2D((3, 3), padding="same", strides=(1, 1), name="mask_" + layer.name)(x)
    elif "pool" in layer.name:
        x = AveragePooling2D((2, 2), name="mask_" + layer.name)(x)
mask_model = Model(mask_input, x)

features = {}
for image_layer, mask_layer in zip(image_model.layers, mask_model.layers):
    if "conv" in image_layer.name:
        assert "mask_" + image_layer.name == mask_layer.name
        features[image_layer.name] = (image_layer.output, mask_layer.output)


def gram(x):
    flat = K.batch_flatten(x)
    return K.dot(flat, K.transpose(flat))


loss = K.variable(0)
for name in ("block1_conv1", "block2_conv1"):
    image_features, mask_features = features[name]
    for region in range(labels):
        style = K.permute_dimensions(image_features[0, :, :, :], (2, 0, 1)) * mask_features[0, :, :, region]
        target = K.permute_dimensions(image_features[1, :, :, :], (2, 0, 1)) * mask_features[1, :, :, region]
        loss = loss + K.mean(K.square(gram(style) - gram(target)))
grads = K.gradients(loss, target_image)
evaluate = K.function([target_image], [loss] + grads)


def loss_and_grads(flat):
    value, gradient = evaluate([flat.reshape((1, rows, cols, 3))])
    return float(value), gradient.flatten().astype("float64")


start = rng.uniform(0, 255, (1, rows, cols, 3)).flatten() - 128.0
first = loss_and_grads(start)[0]
result, last, _ = fmin_l_bfgs_b(loss_and_grads, start, maxfun=10)
print(f"doodle loss fell {last < first}; layers {image_model.layers[1].name} {mask_model.layers[1].name}")
