"""A two-class MLP classifier: Net(n_feature=2, n_hidden=10, n_output=2) with CrossEntropyLoss.

The tutorial's first network: fake data from two Gaussian blobs, a
hidden ``Linear`` + ReLU and an output ``Linear`` giving two class scores (the
target is the class index, not one-hot), trained with plain SGD; the accuracy
is printed every other step.

    .venv/bin/python examples/two_class_mlp.py                # plot in examples/output/
"""
import minitorch as torch
import minitorch.nn.functional as F

from _common import parser, pyplot, save_figure


class Net(torch.nn.Module):
    def __init__(self, n_feature, n_hidden, n_output):
        super(Net, self).__init__()
        self.hidden = torch.nn.Linear(n_feature, n_hidden)  # hidden layer
        self.out = torch.nn.Linear(n_hidden, n_output)  # output layer

    def forward(self, x):
        x = F.relu(self.hidden(x))  # activation function for hidden layer
        x = self.out(x)
        return x


def main(argv=None):
    args = parser(__doc__.splitlines()[0], epochs=50).parse_args(argv)
    if args.quick:
        args.epochs = min(args.epochs, 6)
    torch.manual_seed(1)  # reproducible

    # make fake data
    n_data = torch.ones(100, 2)
    x0 = torch.normal(2 * n_data, 1)  # class0 x data (tensor), shape=(100, 2)
    y0 = torch.zeros(100)  # class0 y data (tensor), shape=(100,)
    x1 = torch.normal(-2 * n_data, 1)  # class1 x data (tensor), shape=(100, 2)
    y1 = torch.ones(100)  # class1 y data (tensor), shape=(100,)
    x = torch.cat((x0, x1), 0).type(torch.FloatTensor)  # shape (200, 2) FloatTensor = 32-bit floating
    y = torch.cat((y0, y1), ).type(torch.LongTensor)  # shape (200,) LongTensor = 64-bit integer

    net = Net(n_feature=2, n_hidden=10, n_output=2)  # define the network
    print(net)  # net architecture

    optimizer = torch.optim.SGD(net.parameters(), lr=0.02)
    loss_func = torch.nn.CrossEntropyLoss()  # the target label is NOT one-hotted

    for t in range(args.epochs):
        out = net(x)  # input x and predict based on x
        loss = loss_func(out, y)  # must be (1. nn output, 2. target), the target label is NOT one-hotted

        optimizer.zero_grad()  # clear gradients for next train
        loss.backward()  # backpropagation, compute gradients
        optimizer.step()  # apply gradients

        if t % 2 == 0:
            prediction = torch.max(out, 1)[1]
            pred_y = prediction.data.numpy()
            target_y = y.data.numpy()
            accuracy = float((pred_y == target_y).astype(int).sum()) / float(target_y.size)
            print("Accuracy=%.2f" % accuracy)

    plt = pyplot(args)
    if plt is not None:
        with torch.no_grad():                       # the trained network's predictions
            pred_y = net(x).argmax(1).numpy()
        accuracy = float((pred_y == target_y).mean())
        plt.figure(figsize=(6.4, 4.8))
        points = x.data.numpy()
        for cls, colour in ((0, "tab:red"), (1, "tab:green")):
            chosen = pred_y == cls
            plt.scatter(points[chosen, 0], points[chosen, 1], c=colour, s=60, lw=0,
                        label="predicted class {}".format(cls))
        wrong = pred_y != target_y
        if wrong.any():
            plt.scatter(points[wrong, 0], points[wrong, 1], s=150, facecolors="none", edgecolors="k",
                        label="misclassified")
        plt.xlabel("feature 0")
        plt.ylabel("feature 1")
        plt.text(0.97, 0.04, "accuracy {:.2f}".format(accuracy), transform=plt.gca().transAxes, ha="right",
                 fontsize=12, color="darkred", bbox={"facecolor": "white", "alpha": 0.8, "edgecolor": "none"})
        plt.title("Two-class MLP after {} steps: points coloured by the predicted class".format(t + 1))
        plt.legend(loc="upper left")
        save_figure(plt, args, "two_class_mlp.png")

if __name__ == "__main__":
    main()
