"""The quickstart: Flatten + a 784-512-512-10 MLP with train/test loops, save/load and checkpoints.

PyTorch's quickstart tutorial end to end: datasets and ``DataLoader``s, the model, a
``train`` and a ``test`` loop printing the loss and the accuracy, saving and
loading the ``state_dict``, a checkpoint holding the optimizer state and the
epoch (and resuming from it), and predicting one test image. ``--variant``
trains the regularised versions of the tutorial next to the plain model and
plots their accuracy curves: ``dropout`` (``nn.Dropout(p)``), ``l2``
(``weight_decay`` in the optimizer), ``batchnorm`` (``nn.BatchNorm1d``), ``all``.

    .venv/bin/python examples/quickstart.py                           # built-in SyntheticShapes
    .venv/bin/python examples/quickstart.py --data /path/to/mnist --epochs 5
    .venv/bin/python examples/quickstart.py --resume examples/output/checkpoint.pth --epochs 8
    .venv/bin/python examples/quickstart.py --variant dropout --epochs 10
"""
import time

import numpy as np

import minitorch as torch
from minitorch import nn
from minitorch.utils import summary
from minitorch.utils.data import DataLoader
from minitorch.vision.transforms import ToTensor

from _common import load_datasets, output_path, parser, progress, pyplot, save_figure


# Define model
class NeuralNetwork(nn.Module):
    """The tutorial's network, with its regularisation options: ``p`` > 0 adds ``nn.Dropout(p)`` after each
    hidden ``Linear``; ``batchnorm=True`` adds ``nn.BatchNorm1d(512)`` right after it.

    (The tutorial also ends with a ReLU after the last ``Linear``; that clips the class scores at 0 and
    slows learning, so it is left out here, as in most later versions of the tutorial.)
    """

    def __init__(self, p=0.0, batchnorm=False):
        super(NeuralNetwork, self).__init__()
        self.flatten = nn.Flatten()
        self.linear_relu_stack = nn.Sequential(
            *hidden_layer(28 * 28, 512, p, batchnorm),
            *hidden_layer(512, 512, p, batchnorm),
            nn.Linear(512, 10),
        )

    def forward(self, x):
        x = self.flatten(x)
        logits = self.linear_relu_stack(x)
        return logits


def hidden_layer(n_in, n_out, p=0.0, batchnorm=False):
    """``Linear -> [BatchNorm1d] -> [Dropout(p)] -> ReLU``."""
    layers = [nn.Linear(n_in, n_out)]
    if batchnorm:
        layers.append(nn.BatchNorm1d(n_out))
    if p:
        layers.append(nn.Dropout(p))
    layers.append(nn.ReLU())
    return layers


def train(dataloader, model, loss_fn, optimizer, device="cpu", desc="train", verbose=True):
    """One epoch of training; returns ``(accuracy, average loss)`` on the batches seen."""
    size = len(dataloader.dataset)
    model.train()
    train_loss, correct = 0, 0
    bar = progress(dataloader, desc=desc)
    for batch, (X, y) in enumerate(bar):
        X, y = X.to(device), y.to(device)

        # Compute prediction error
        pred = model(X)
        loss = loss_fn(pred, y)

        # Backpropagation
        optimizer.zero_grad()
        loss.backward()
        optimizer.step()

        train_loss += loss.item()
        correct += (pred.argmax(1) == y).type(torch.float).sum().item()
        if batch % 100 == 0:
            loss, current = loss.item(), batch * len(X)
            bar.set_postfix(loss=loss)
            if verbose:
                bar.write(f"loss: {loss:>7f}  [{current:>5d}/{size:>5d}]")
    return correct / size, train_loss / len(dataloader)


def test(dataloader, model, loss_fn, device="cpu", verbose=True):
    """Accuracy and average loss on ``dataloader``; returns ``(accuracy, average loss)``."""
    size = len(dataloader.dataset)
    num_batches = len(dataloader)
    model.eval()
    test_loss, correct = 0, 0
    with torch.no_grad():
        for X, y in dataloader:
            X, y = X.to(device), y.to(device)
            pred = model(X)
            test_loss += loss_fn(pred, y).item()
            correct += (pred.argmax(1) == y).type(torch.float).sum().item()
    test_loss /= num_batches
    correct /= size
    if verbose:
        print(f"Test Error: \n Accuracy: {(100*correct):>0.1f}%, Avg loss: {test_loss:>8f} \n")
    return correct, test_loss


def compare_variants(args, train_dataloader, test_dataloader, device):
    """Train the plain model and the chosen regularised ones side by side; plot their accuracy curves."""
    names = ["dropout", "l2", "batchnorm"] if args.variant == "all" else [args.variant]
    loss_fn = nn.CrossEntropyLoss()
    curves = {}
    for name in ["plain"] + names:
        torch.manual_seed(args.seed)
        model = NeuralNetwork(p=args.dropout if name == "dropout" else 0.0,
                              batchnorm=name == "batchnorm").to(device)
        weight_decay = args.weight_decay if name == "l2" else 0
        optimizer = torch.optim.SGD(model.parameters(), lr=args.lr, momentum=args.momentum,
                                    weight_decay=weight_decay)
        train_acc, test_acc = [], []
        for t in range(args.epochs):
            acc, _ = train(train_dataloader, model, loss_fn, optimizer, device, desc=f"{name} {t + 1}",
                           verbose=False)
            train_acc.append(acc)
            test_acc.append(test(test_dataloader, model, loss_fn, device, verbose=False)[0])
            print(f"{name:>9} epoch {t + 1}: train accuracy {100 * train_acc[-1]:>0.1f}%, "
                  f"test accuracy {100 * test_acc[-1]:>0.1f}%")
        curves[name] = (train_acc, test_acc)

    plt = pyplot(args)
    if plt is not None:
        epoch_array = np.arange(1, args.epochs + 1)
        plt.figure(figsize=(7.5, 5))
        for name, (train_acc, test_acc) in curves.items():
            few = len(epoch_array) <= 20              # markers: one epoch is a point, not an empty line
            line, = plt.plot(epoch_array, train_acc, "--", marker="s" if few else None, fillstyle="none",
                             label=f"train acc ({name})")
            plt.plot(epoch_array, test_acc, "-", marker="o" if few else None, color=line.get_color(),
                     label=f"test acc ({name})")
        plt.xticks(epoch_array)
        plt.xlabel("epoch")
        plt.ylabel("accuracy")
        plt.title(f"Quickstart MLP: plain vs {' / '.join(names)} (SGD lr {args.lr}, "
                  f"{'built-in data' if not args.data or args.data == 'builtin' else 'MNIST'})")
        plt.legend(fontsize="small")
        save_figure(plt, args, f"quickstart_{args.variant}.png")


def main(argv=None):
    p = parser(__doc__.splitlines()[0], epochs=5)
    p.add_argument("--lr", type=float, default=0.1,
                   help="SGD learning rate (default 0.1; the tutorial's 1e-3 needs dozens of epochs)")
    p.add_argument("--momentum", type=float, default=0.0, help="SGD momentum (default 0, as the tutorial)")
    p.add_argument("--batch-size", type=int, default=64)
    p.add_argument("--seed", type=int, default=0)
    p.add_argument("--resume", metavar="CHECKPOINT", help="continue training from a checkpoint file")
    p.add_argument("--variant", choices=["dropout", "l2", "batchnorm", "all"],
                   help="compare the plain model with a regularised one and plot the accuracy curves")
    p.add_argument("--dropout", type=float, default=0.5, help="dropout probability p (default 0.5)")
    p.add_argument("--weight-decay", type=float, default=1e-3, help="L2 weight decay (default 1e-3)")
    args = p.parse_args(argv)
    if args.quick:
        args.epochs = min(args.epochs, 2)
    torch.manual_seed(args.seed)

    # Datasets: MNIST with --data, else the built-in SyntheticShapes (same 1 x 28 x 28 images, 10 classes)
    training_data, test_data, classes = load_datasets(args, transform=ToTensor())

    batch_size = args.batch_size

    # Create data loaders.
    train_dataloader = DataLoader(training_data, batch_size=batch_size, shuffle=True)
    test_dataloader = DataLoader(test_data, batch_size=batch_size)

    for X, y in test_dataloader:
        print("Shape of X [N, C, H, W]: ", X.shape)
        print("Shape of y: ", y.shape, y.dtype)
        break

    # Get cpu or gpu device for training.
    device = "cuda" if torch.cuda.is_available() else "cpu"
    print("Using {} device".format(device))

    if args.variant:
        compare_variants(args, train_dataloader, test_dataloader, device)
        return

    model = NeuralNetwork().to(device)
    print(model)
    summary(model, (1, 28, 28))  # torchsummary's layer table: output shapes and parameter counts

    loss_fn = nn.CrossEntropyLoss()
    optimizer = torch.optim.SGD(model.parameters(), lr=args.lr, momentum=args.momentum)

    start_epoch = 0
    if args.resume:
        checkpoint = torch.load(args.resume)
        model.load_state_dict(checkpoint["model_state"])
        optimizer.load_state_dict(checkpoint["optim_state"])
        start_epoch = checkpoint["epoch"]
        print(f"Resumed from {args.resume} after epoch {start_epoch}")

    checkpoint_path = output_path(args, "checkpoint.pth")
    start = time.time()
    for t in range(start_epoch, args.epochs):
        # each epoch's shuffling depends only on its number, so a resumed run repeats it exactly
        torch.manual_seed(args.seed + t)
        print(f"Epoch {t+1}\n-------------------------------")
        train(train_dataloader, model, loss_fn, optimizer, device, desc=f"epoch {t + 1}")
        test(test_dataloader, model, loss_fn, device)
        # a checkpoint after every epoch: the epoch, the model and the optimizer state
        checkpoint = {
            "epoch": t + 1,
            "model_state": model.state_dict(),
            "optim_state": optimizer.state_dict(),
        }
        torch.save(checkpoint, checkpoint_path)
    print("Done!")
    print(f"Training time: {time.time() - start:.1f} s")

    # Save the model's parameters, then load them into a new model
    model_path = output_path(args, "model.pth")
    torch.save(model.state_dict(), model_path)
    print(f"Saved minitorch Model State to {model_path}")

    model = NeuralNetwork()
    model.load_state_dict(torch.load(model_path))

    # Resuming from the checkpoint: a new model and optimizer get the saved states
    # (the optimizer's lr=0 is replaced by the saved one)
    if args.epochs > start_epoch:
        model_resume = NeuralNetwork()
        optimizer_resume = torch.optim.SGD(model_resume.parameters(), lr=0)
        load_checkpoint = torch.load(checkpoint_path)
        epoch = load_checkpoint["epoch"]
        model_resume.load_state_dict(load_checkpoint["model_state"])
        optimizer_resume.load_state_dict(load_checkpoint["optim_state"])
        same = all(torch.equal(a, b) for a, b in zip(model_resume.parameters(), model.parameters()))
        print(f"Checkpoint {checkpoint_path}: epoch {epoch}, lr {optimizer_resume.param_groups[0]['lr']}, "
              f"same weights as the saved model: {same}")
        print(f"(continue training with: --resume {checkpoint_path} --epochs {epoch + 5})")

    # Predict one test image
    model.eval()
    x, y = test_data[0][0], test_data[0][1]
    with torch.no_grad():
        pred = model(x)
        predicted, actual = classes[pred[0].argmax(0)], classes[y]
        print(f'Predicted: "{predicted}", Actual: "{actual}"')


if __name__ == "__main__":
    main()
