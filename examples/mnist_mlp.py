"""MNIST MLP 784-200-10 trained with a hand-written SGD update.

The tutorial flattens each image to 784 numbers in [-1, 1], builds
``nn.Sequential(Linear(784, 200), ReLU(), Linear(200, 10))`` and, instead of an
optimizer, updates every parameter itself: ``param.data = param.data - lr *
param.grad.data``. It prints the mean training loss and the time per epoch and
plots the loss on a log scale.

    .venv/bin/python examples/mnist_mlp.py                    # built-in SyntheticShapes
    .venv/bin/python examples/mnist_mlp.py --data /path/to/mnist
"""
import time

import numpy as np

import minitorch as torch
from minitorch import nn
from minitorch.utils.data import DataLoader

from _common import load_datasets, parser, progress, pyplot, save_figure

torch.manual_seed(0)  # reproducible


def transform_mnist(x):
    x = np.array(x, dtype="float32") / 255  # to [0, 1]
    x = (x - 0.5) / 0.5  # normalise to [-1, 1]
    x = x.reshape((-1,))  # flatten
    x = torch.from_numpy(x)
    return x


# the network: 784 -> 200 -> 10
net = nn.Sequential(
    nn.Linear(784, 200),
    nn.ReLU(),
    nn.Linear(200, 10),
)

criterion = nn.CrossEntropyLoss()


def sgd_update(parameters, lr):
    for param in parameters:
        param.data = param.data - lr * param.grad.data


def train_net(net, train_data, lr, epoch):
    train_losses = []
    train_loss = 0
    losses_idx = 0
    bar = progress(train_data, desc=f"epoch {epoch}")
    for im, label in bar:
        out = net(im)  # forward
        loss = criterion(out, label)  # the loss
        net.zero_grad()  # clear the gradients of all parameters
        loss.backward()  # d loss / d parameters
        sgd_update(net.parameters(), lr)  # the update, by hand
        train_loss += loss.item()
        if losses_idx % 10 == 0:
            train_losses.append(loss.item())
            bar.set_postfix(loss=loss.item())
        losses_idx += 1
    return train_losses, train_loss, losses_idx


def evaluate(net, test_data):
    correct = 0
    with torch.no_grad():
        for im, label in test_data:
            correct += (net(im).argmax(1) == label).sum().item()
    return correct / len(test_data.dataset)


def main(argv=None):
    p = parser(__doc__.splitlines()[0], epochs=5)
    p.add_argument("--lr", type=float, default=1e-2, help="learning rate (default 0.01)")
    p.add_argument("--batch-size", type=int, default=100, help="batch size (default 100)")
    args = p.parse_args(argv)
    if args.quick:
        args.epochs = min(args.epochs, 1)

    train_set, test_set, classes = load_datasets(args, transform_mnist)
    train_data = DataLoader(train_set, batch_size=args.batch_size, shuffle=True)
    test_data = DataLoader(test_set, batch_size=1000)
    print(net)

    all_losses, where = [], []
    for epoch in range(1, args.epochs + 1):
        start = time.time()
        train_losses, train_loss, losses_idx = train_net(net, train_data, args.lr, epoch)
        end = time.time()
        all_losses += train_losses
        where += [epoch - 1 + 10 * k / len(train_data) for k in range(len(train_losses))]  # every 10th batch
        print("epoch: {}, Train Loss: {:.6f}".format(epoch, train_loss / len(train_data)))
        print("Time used: {:.5f} s".format(end - start))
        print("Test Accuracy: {:.2%}".format(evaluate(net, test_data)))

    plt = pyplot(args)
    if plt is not None:
        plt.figure(figsize=(6.4, 4.8))
        plt.semilogy(where, all_losses, marker="o" if len(all_losses) <= 30 else None,
                     label="batch_size=%d" % args.batch_size)
        plt.xlim(0, args.epochs)
        plt.xlabel("epoch")
        plt.ylabel("training loss (every 10th batch)")
        plt.title("MNIST MLP 784-200-10, hand-written SGD (lr %g)" % args.lr)
        plt.legend(loc="best")
        save_figure(plt, args, "mnist_mlp_loss.png")


if __name__ == "__main__":
    main()
