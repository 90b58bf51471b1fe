"""Logistic regression: nn.Linear(2, 1) + nn.Sigmoid trained with BCELoss and SGD (momentum 0.9).

The tutorial's five steps: data (two Gaussian blobs), model, loss,
optimizer, training loop; then the decision boundary w0*x0 + w1*x1 + b = 0
drawn over the data.

    .venv/bin/python examples/logistic_regression.py          # plot in examples/output/
"""
import numpy as np

import minitorch as torch
import minitorch.nn as nn
import minitorch.optim as optim

from _common import parser, pyplot, save_figure


# ============================ step 2/5 the model ============================
class LR(nn.Module):
    def __init__(self):
        super(LR, self).__init__()
        self.features = nn.Linear(2, 1)
        self.sigmoid = nn.Sigmoid()

    def forward(self, x):
        x = self.features(x)
        x = self.sigmoid(x)
        return x


def main(argv=None):
    args = parser(__doc__.splitlines()[0], epochs=1000).parse_args(argv)
    if args.quick:
        args.epochs = min(args.epochs, 60)
    torch.manual_seed(10)

    # ============================ step 1/5 the data ============================
    sample_nums = 100
    mean_value = 1.7
    bias = 1
    n_data = torch.ones(sample_nums, 2)
    x0 = torch.normal(mean_value * n_data, 1) + bias  # class 0, shape=(100, 2)
    y0 = torch.zeros(sample_nums)  # class 0 labels, shape=(100,)
    x1 = torch.normal(-mean_value * n_data, 1) + bias  # class 1, shape=(100, 2)
    y1 = torch.ones(sample_nums)  # class 1 labels, shape=(100,)
    train_x = torch.cat((x0, x1), 0)
    train_y = torch.cat((y0, y1), 0)

    lr_net = LR()  # the logistic regression model
    print(lr_net)

    # ============================ step 3/5 the loss ============================
    loss_fn = nn.BCELoss()

    # ============================ step 4/5 the optimizer ============================
    lr = 0.01  # learning rate
    optimizer = optim.SGD(lr_net.parameters(), lr=lr, momentum=0.9)

    # ============================ step 5/5 training ============================
    for iteration in range(args.epochs):
        # forward
        y_pred = lr_net(train_x)

        # loss
        loss = loss_fn(y_pred.squeeze(), train_y)

        # backward
        loss.backward()

        # update the parameters
        optimizer.step()

        # clear the gradients
        optimizer.zero_grad()

        if iteration % 20 == 0:
            mask = y_pred.ge(0.5).float().squeeze()  # classify with threshold 0.5
            correct = (mask == train_y).sum()  # number of correct predictions
            acc = correct.item() / train_y.size(0)  # accuracy
            w0, w1 = lr_net.features.weight[0]
            w0, w1 = float(w0.item()), float(w1.item())
            plot_b = float(lr_net.features.bias[0].item())
            print("Iteration: {} Loss={:.4f} w0:{:.2f} w1:{:.2f} b: {:.2f} accuracy:{:.2%}".format(
                iteration, loss.item(), w0, w1, plot_b, acc))
            if acc > 0.99:
                break

    plt = pyplot(args)
    if plt is not None:
        plt.figure(figsize=(6.4, 4.8))
        plt.scatter(x0.data.numpy()[:, 0], x0.data.numpy()[:, 1], c="r", label="class 0")
        plt.scatter(x1.data.numpy()[:, 0], x1.data.numpy()[:, 1], c="b", label="class 1")
        plot_x = np.arange(-6, 8, 0.1)
        plot_y = (-w0 * plot_x - plot_b) / w1  # the decision boundary: w0*x + w1*y + b = 0
        plt.plot(plot_x, plot_y, "k-", label="decision boundary")
        plt.xlim(-5, 7)
        plt.ylim(-7, 7)
        plt.xlabel("x0 (first feature)")
        plt.ylabel("x1 (second feature)")
        plt.text(0.03, 0.04, "iteration {}: loss {:.4f}, accuracy {:.1%}\nw0={:.2f}  w1={:.2f}  b={:.2f}".format(
                 iteration, loss.item(), acc, w0, w1, plot_b), transform=plt.gca().transAxes, fontsize=11,
                 color="darkred", bbox={"facecolor": "white", "alpha": 0.8, "edgecolor": "none"})
        plt.title("Logistic regression: nn.Linear(2, 1) + Sigmoid, BCELoss")
        plt.legend(loc="upper left")
        save_figure(plt, args, "logistic_regression.png")

if __name__ == "__main__":
    main()
