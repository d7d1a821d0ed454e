"""The outside judge of "From Expressions to Machine Learning" (see grading/plugins/judge.py).

Each test cell's points also need this judge's agreement. It describes expressions as
plain data, a list of nodes in which a child is a number (a constant) or ["n", i] (node i):

    ["var", 1.5]           a variable V(1.5)        ["x"], ["y"]   the notebook's vx, vy
    ["+", a, b] ["-", a, b] ["*", a, b] ["/", a, b] ["neg", a]     the notebook's operators
    ["sq", a] ["sum3", a, b, c]     operators the student's code has never seen

The last node is the root. The kernel builds the expression from the notebook's own
classes and runs the student's code on it; the judge computes the reference with its own
small engine below, which shares no code with the notebook. Inputs are drawn fresh for
every submission from the operating system's random source.

Each question is judged on its own, as in the notebook's hidden tests: compute_gradient
on Plus, Multiply and the two unseen operators only; the operator gradients directly,
after eval(); fit with a correct back-propagation installed (SETUP) for its check and its cell.
"""
import math
import random

from grading.plugins.judge import Rejected, agrees, answers, compare, field

# ---------------------------------------------------------------------------------------
# What runs in the student's kernel: plain data in, a JSON string out. It leaves the
# notebook as it found it (random state, vx and vy, swapped methods, standard output).
# It builds plain lists itself, of the length the payload says, never trusting what a
# student's object says of its length or slices; the judge counts again all the same.

KERNEL_CODE = r'''
import json as _json
import numbers as _numbers
import random as _random
import sys as _sys


class _Discard:
    def write(self, text):
        return len(text)

    def flush(self):
        pass


def _plain(value):
    if isinstance(value, _numbers.Real) and not isinstance(value, bool):
        try:
            return float(value)
        except Exception:
            pass
    return {"not a number": type(value).__name__}


def _error(error):
    try:
        text = f"{type(error).__name__}: {error}"
    except Exception:
        text = type(error).__name__
    return {"error": text[:300]}


class _Square(Expr):
    def op(self, x):
        return x * x

    def operator_gradient(self):
        (x,) = self.child_values
        return (2 * x,)


class _Sum3(Expr):
    def op(self, x, y, z):
        return x + y + z

    def operator_gradient(self):
        return [1, 1, 1]


def _build(nodes):
    operators = {"+": Plus, "-": Minus, "*": Multiply, "/": Divide, "neg": Negative,
                 "sq": _Square, "sum3": _Sum3}
    built = []
    for kind, *args in nodes:
        if kind == "var":
            built.append(V(args[0]))
        elif kind in ("x", "y"):
            built.append(vx if kind == "x" else vy)
        else:
            built.append(operators[kind](*(built[a[1]] if isinstance(a, list) else a
                                           for a in args)))
    return built


def _cases(payload, one):
    state, stdout = _random.getstate(), _sys.stdout
    _sys.stdout = _Discard()
    answers = []
    try:
        for case in payload["cases"]:
            try:
                answers.append(one(case))
            except Exception as error:
                answers.append(_error(error))
    finally:
        _sys.stdout = stdout
        _random.setstate(state)
    return _json.dumps({"answers": answers})


def backprop(payload):
    def one(case):
        nodes = _build(case["nodes"])
        root = nodes[-1]
        root.eval()
        root.zero_gradient()
        for assignments, upstream in case["runs"]:
            for index, value in assignments:
                nodes[index].assign(value)
            root.eval()
            if upstream is None:
                root.compute_gradient()
            else:
                root.compute_gradient(upstream)
        return {"gradients": [_plain(nodes[i].gradient) for i in case["report"]]}
    return _cases(payload, one)


def partials(payload):
    def one(case):
        root = _build(case["nodes"])[-1]
        root.eval()
        found = root.operator_gradient()
        if not isinstance(found, (tuple, list)):
            return {"error": f"operator_gradient() returned {type(found).__name__}, "
                             "not a tuple or list"}
        partials = []
        for p in found:  # at most 1000: whatever len() says, what it holds is counted
            if len(partials) == 1000:
                break
            partials.append(_plain(p))
        return {"partials": partials}
    return _cases(payload, one)


def train(payload):
    # Runs with SETUP's correct back-propagation installed (the grader sends it before
    # each fit check): fit is judged on its own, whatever compute_gradient does.
    if not (isinstance(vx, V) and isinstance(vy, V)):
        return _json.dumps({"answers": [{"error": "the notebook's variables vx and vy "
                                                  "are missing"}] * len(payload["cases"])})
    kept = [(v, v.value, v.gradient) for v in (vx, vy)]

    def one(case):
        nodes = _build(case["nodes"])
        found = fit(nodes[-1], [tuple(point) for point in case["points"]],
                    [nodes[i] for i in case["train"]], delta=case["delta"],
                    num_iterations=case["iterations"])
        return {"values": [_plain(found)] + [_plain(nodes[i].value) for i in case["params"]]}

    try:
        return _cases(payload, one)
    finally:
        for v, value, gradient in kept:
            v.value, v.gradient = value, gradient
'''

# ---------------------------------------------------------------------------------------
# What the grader runs in the student's kernel just before each fit test (its check above
# and the cell itself): back-propagation becomes a correct one until that cell has run, so
# Question 3 is graded on its own even when compute_gradient or an operator gradient is
# wrong. It is sent only then, and defines no name in the notebook: while Questions 1 and 2
# are checked, nothing in the kernel computes a right gradient that student code could
# find (up the call stack, say) and call.

REFERENCE_BACKPROP = r'''
def _install_reference_backprop(shell):
    def partials(node):
        values, kind = node.child_values, type(node)
        if kind is Plus:
            return (1.0, 1.0)
        if kind is Minus:
            return (1.0, -1.0)
        if kind is Multiply:
            return (values[1], values[0])
        if kind is Divide:
            return (1 / values[1], -values[0] / (values[1] * values[1]))
        if kind is Negative:
            return (-1.0,)
        if isinstance(node, V):
            return ()
        return tuple(node.operator_gradient())  # operators the tests define

    def compute_gradient(self, de_loss_over_de_e=1):
        self.gradient += de_loss_over_de_e
        for child, partial in zip(self.children, partials(self)):
            if isinstance(child, Expr):
                compute_gradient(child, de_loss_over_de_e * partial)

    def subclasses(cls):
        found = [cls]
        for sub in cls.__subclasses__():
            found += subclasses(sub)
        return found

    classes = subclasses(Expr)
    saved = {cls: cls.__dict__["compute_gradient"] for cls in classes
             if "compute_gradient" in cls.__dict__}
    for cls in saved:
        delattr(cls, "compute_gradient")
    Expr.compute_gradient = compute_gradient

    def undo(*args):  # after the test cell has run, passed or failed
        shell.events.unregister("post_run_cell", undo)
        for cls in classes:
            if "compute_gradient" in cls.__dict__:
                delattr(cls, "compute_gradient")
        for cls, method in saved.items():
            setattr(cls, "compute_gradient", method)

    shell.events.register("post_run_cell", undo)


_install_reference_backprop(get_ipython())
'''

# ---------------------------------------------------------------------------------------
# The judge's own engine: values and gradients of a node list, by one pass forward and
# one pass backward in reverse order (not recursion per path, as the notebook does).

ARITY = {"+": 2, "-": 2, "*": 2, "/": 2, "neg": 1, "sq": 1, "sum3": 3}
SYMBOLS = {"+": "+", "-": "-", "*": "*", "/": "/"}
CLASS_OF = {"+": "Plus", "-": "Minus", "*": "Multiply", "/": "Divide", "neg": "Negative"}
NAMES = "abcdfghkmnpqrstuw"
# The operators only the checks use, as a student can define them to try a case.
CLASSES = {"sq": "Square", "sum3": "Sum3"}
TEST_CLASSES = {
    "sq": "class Square(Expr):  # an operator of the check's own: Square(u) = u * u\n"
          "    def op(self, u):\n        return u * u\n"
          "    def operator_gradient(self):\n        return (2 * self.child_values[0],)",
    "sum3": "class Sum3(Expr):  # an operator of the check's own: Sum3(u, v, w) = u + v + w\n"
            "    def op(self, u, v, w):\n        return u + v + w\n"
            "    def operator_gradient(self):\n        return (1, 1, 1)",
}


def local_partials(kind, values):
    if kind == "+":
        return (1.0, 1.0)
    if kind == "-":
        return (1.0, -1.0)
    if kind == "*":
        return (values[1], values[0])
    if kind == "/":
        return (1 / values[1], -values[0] / (values[1] * values[1]))
    if kind == "neg":
        return (-1.0,)
    if kind == "sq":
        return (2 * values[0],)
    if kind == "sum3":
        return (1.0, 1.0, 1.0)
    return ()


def apply(kind, values):
    if kind == "+":
        return values[0] + values[1]
    if kind == "-":
        return values[0] - values[1]
    if kind == "*":
        return values[0] * values[1]
    if kind == "/":
        return values[0] / values[1]
    if kind == "neg":
        return -values[0]
    if kind == "sq":
        return values[0] * values[0]
    return values[0] + values[1] + values[2]


class Graph:
    """An expression as a node list; variables' current values in self.leaf."""

    def __init__(self, nodes, x=0.0, y=0.0):
        self.nodes = nodes
        self.leaf = {i: node[1] for i, node in enumerate(nodes) if node[0] == "var"}
        self.leaf.update({i: (x if node[0] == "x" else y) for i, node in enumerate(nodes)
                          if node[0] in ("x", "y")})

    def _child_values(self, node, values):
        return [values[a[1]] if isinstance(a, list) else a for a in node[1:]]

    def values(self):
        values = []
        for i, node in enumerate(self.nodes):
            if i in self.leaf:
                values.append(self.leaf[i])
            else:
                values.append(apply(node[0], self._child_values(node, values)))
        return values

    def reachable(self):
        found, stack = set(), [len(self.nodes) - 1]
        while stack:
            i = stack.pop()
            if i not in found:
                found.add(i)
                stack += [a[1] for a in self.nodes[i][1:] if isinstance(a, list)]
        return found

    def gradients(self, upstream=1.0, absolute=False):
        """d root / d node for every node, times upstream. With absolute=True, every
        factor counts by its size: the size of the terms each gradient sums, which
        bounds the rounding a correct answer adding them in another order can show."""
        values = self.values()
        size = abs if absolute else (lambda v: v)
        grads = [0.0] * len(self.nodes)
        grads[-1] = size(upstream)
        for i in range(len(self.nodes) - 1, -1, -1):
            node = self.nodes[i]
            if i in self.leaf or not grads[i]:
                continue
            partials = local_partials(node[0], self._child_values(node, values))
            for child, partial in zip(node[1:], partials):
                if isinstance(child, list):
                    grads[child[1]] += grads[i] * size(partial)
        return grads

    def show(self, i=None, limit=150):
        """Node i (default: the root) as algebra, such as (a + 2) * b."""
        def text(ref, top=False):
            if not isinstance(ref, list):
                return repr(ref)
            node = self.nodes[ref[1]]
            if ref[1] in self.leaf:
                return self.name(ref[1])
            parts = [text(a) for a in node[1:]]
            if node[0] in SYMBOLS:
                shown = f"{parts[0]} {SYMBOLS[node[0]]} {parts[1]}"
            elif node[0] == "neg":
                return f"(-{parts[0]})"
            else:
                return f"{CLASSES[node[0]]}({', '.join(parts)})"
            return shown if top else f"({shown})"

        shown = text(["n", len(self.nodes) - 1 if i is None else i], top=True)
        return shown if len(shown) <= limit else shown[:limit - 3] + "..."

    def name(self, i):
        kind = self.nodes[i][0]
        if kind in ("x", "y"):
            return "v" + kind
        return NAMES[sorted(j for j in self.leaf if self.nodes[j][0] == "var").index(i) % len(NAMES)]

    def shown_values(self):
        """The variables the root depends on, with their values: "a=1.5, b=-2"."""
        reach = self.reachable()
        return ", ".join(f"{self.name(i)}={self.leaf[i]!r}" for i in sorted(self.leaf)
                         if self.nodes[i][0] == "var" and i in reach)

    def python(self, root="e", shared="s", also=()):
        """Lines of Python that build this expression in the notebook: a line per
        variable (those the root depends on, and those in also), one per node used
        more than once (named shared + a number, or the name given for it in shared
        when that is a dict), and root = the expression."""
        reach = self.reachable()
        uses = {}
        for i in reach:
            for a in self.nodes[i][1:]:
                if isinstance(a, list):
                    uses[a[1]] = uses.get(a[1], 0) + 1
        names, lines = {}, []
        variables = [i for i in sorted(self.leaf)
                     if self.nodes[i][0] == "var" and (i in reach or i in also)]
        if variables:
            lines.append(f"{', '.join(self.name(i) for i in variables)} = "
                         f"{', '.join(f'V({self.leaf[i]!r})' for i in variables)}")

        def text(ref, top=False):
            if not isinstance(ref, list):
                return repr(ref)
            i = ref[1]
            if i in self.leaf:
                return self.name(i)
            if i in names:
                return names[i]
            kind, args = self.nodes[i][0], self.nodes[i][1:]
            parts = [text(a) for a in args]
            if kind in CLASSES or all(not isinstance(a, list) for a in args):
                shown = f"{CLASSES.get(kind) or CLASS_OF[kind]}({', '.join(parts)})"
            elif kind == "neg":
                shown = f"(-{parts[0]})"
            else:
                shown = f"{parts[0]} {SYMBOLS[kind]} {parts[1]}"
                shown = shown if top else f"({shown})"
            return shown

        for i in sorted(reach):  # children come before their parents in a node list
            if uses.get(i, 0) > 1 and i not in self.leaf and i != len(self.nodes) - 1:
                name = shared.get(i) if isinstance(shared, dict) else None
                code = text(["n", i], top=True)
                names[i] = name or f"{shared if isinstance(shared, str) else 's'}{len(names) + 1}"
                lines.append(f"{names[i]} = {code}")
        lines.append(f"{root} = {text(['n', len(self.nodes) - 1], top=True)}")
        used = {kind for i in reach for kind in [self.nodes[i][0]] if kind in CLASSES}
        return [TEST_CLASSES[kind] for kind in sorted(used)] + lines


class Builder:
    """Appends nodes; returns the reference ["n", i] to each."""

    def __init__(self):
        self.nodes = []

    def add(self, kind, *children):
        self.nodes.append([kind, *children])
        return ["n", len(self.nodes) - 1]

    def var(self, value):
        return self.add("var", value)

    def root(self, ref):
        """Makes ref the last node (the root), copying it if needed."""
        if ref[1] != len(self.nodes) - 1:
            self.nodes.append(list(self.nodes[ref[1]]))
        return self.nodes


# ---------------------------------------------------------------------------------------
# Comparing answers


# Every answer is read with grading.plugins.judge's answers(), field() and compare(): they
# count and check every value the kernel sent, whatever it says of itself.


# ---------------------------------------------------------------------------------------
# Inputs, drawn fresh for every submission

RNG = random.SystemRandom()


def value(low=-3.0, high=3.0, avoid_zero=False):
    if not avoid_zero and low < 0 < high and RNG.random() < 0.1:
        return 0.0  # where a division by a child's value breaks
    while True:
        drawn = round(RNG.uniform(low, high), 2)
        if not (avoid_zero and abs(drawn) < 0.25):
            return drawn


def random_tree(builder, leaves, depth, kinds, constants=True):
    """A random expression of at most depth levels over leaves; the top is an operator.
    With leaves=None, every leaf is a new variable: no node is used twice."""
    def leaf():
        return RNG.choice(leaves) if leaves else builder.var(value())

    def grow(level, top=False):
        if not top and (level <= 0 or RNG.random() < 0.2):
            return value() if constants and RNG.random() < 0.2 else leaf()
        kind = RNG.choice(kinds)
        return builder.add(kind, *(grow(level - 1) for _ in range(ARITY[kind])))
    return grow(depth, top=True)


def upstream():
    return None if RNG.random() < 0.4 else value(avoid_zero=True)


def backprop_case(graph, runs, shown):
    """Python that repeats a backprop case in the notebook, printing the gradient of the
    nodes in shown (variables, or the root)."""
    moved = {index for assignments, _ in runs for index, _ in assignments}
    lines = graph.python(also=moved) + ["e.eval()", "e.zero_gradient()"]
    for run, (assignments, up) in enumerate(runs):
        lines += [f"{graph.name(index)}.assign({new_value!r})" for index, new_value in assignments]
        if assignments or run:
            lines.append("e.eval()")
        lines.append(f"e.compute_gradient({'' if up is None else up})")
    names = ["e" if i == len(graph.nodes) - 1 else graph.name(i) for i in shown]
    return "\n".join(lines + [f"print({', '.join(f'{n}.gradient' for n in names)})"])


def compared_nodes(nodes):
    """The nodes whose gradients a backprop check compares, in that order: the root, the
    variables it depends on, then its inner nodes."""
    graph, root = Graph(nodes), len(nodes) - 1
    reach = sorted(graph.reachable())
    return ([root] + [i for i in reach if i in graph.leaf]
            + [i for i in reach if i not in graph.leaf and i != root])


def check_backprop(ask, cases, what):
    """cases: [(nodes, runs)]; runs: [(assignments, upstream or None)] as the kernel's
    backprop() takes them. Every node's gradient must match the reference, added up
    over the runs. A rejection names the first wrong gradient (the root's, then the
    variables', then the inner nodes') and gives the case as code."""
    cases = [(nodes, runs, compared_nodes(nodes)) for nodes, runs in cases]
    payload = [{"nodes": nodes, "runs": runs, "report": report} for nodes, runs, report in cases]
    for (nodes, runs, report), answer in answers(ask, "backprop", cases, payload):
        graph = Graph([list(node) for node in nodes])
        expected, scale = [0.0] * len(nodes), [0.0] * len(nodes)
        for assignments, up in runs:
            for index, new_value in assignments:
                graph.leaf[index] = new_value
            factor = 1.0 if up is None else up
            for i, (g, s) in enumerate(zip(graph.gradients(factor),
                                           graph.gradients(factor, absolute=True))):
                expected[i] += g
                scale[i] += s
        graph = Graph([list(node) for node in nodes])  # the values shown: the first ones
        root = len(nodes) - 1
        case = backprop_case(graph, runs, [i for i in report if i == root or i in graph.leaf])
        labels = [f"{what}: the gradient of " + (
            "the root e" if i == root else f"variable {graph.name(i)}" if i in graph.leaf
            else f"the inner node {graph.show(i, 60)}") for i in report]
        compare(field(answer, "gradients", what, case), [expected[i] for i in report],
                what, labels, case, scales=[scale[i] for i in report], noun="gradient(s)")


def single_run(builder, root):
    return (builder.root(root), [([], upstream())])


def check_one_operator(kind, what):
    """compute_gradient on trees of one operator, each variable used once (sharing is
    the last Question 1 test's)."""
    def check(ask):
        cases = []
        for depth in (1, 1, 2, 3):
            b = Builder()
            cases.append(single_run(b, random_tree(b, None, depth, [kind])))
        check_backprop(ask, cases, f"compute_gradient on a {what}")
    return check


def check_nested(ask):
    cases = []
    for depth in range(1, 7):
        b = Builder()
        leaves = [b.var(value()) for _ in range(3)]
        cases.append(single_run(b, random_tree(b, leaves, depth, ["+", "*", "sq", "sum3"])))
    b = Builder()  # a chain of 2 * 30 operators: any fixed recursion depth falls short
    a = b.var(value(0.5, 1.5))
    chain = a
    for _ in range(30):
        chain = b.add("*", b.add("+", chain, a), 0.5)
    cases.append(single_run(b, chain))
    check_backprop(ask, cases, "compute_gradient on a nested expression")


def shared_graph(b, leaves, size):
    """A random expression in which later nodes reuse earlier ones (shared sub-trees)."""
    made = list(leaves)
    for _ in range(size):
        kind = RNG.choice(["+", "*", "*", "sq"])
        made.append(b.add(kind, *(RNG.choice(made[-4:] + leaves) for _ in range(ARITY[kind]))))
    return made[-1]


def check_shared(ask):
    cases = []
    b = Builder()
    a = b.var(value())
    cases.append(single_run(b, b.add("*", b.add("*", a, a), a)))
    b = Builder()  # a shared sub-expression, used at several depths
    a, c = b.var(value()), b.var(value())
    shared = b.add("+", a, c)
    cases.append(single_run(b, b.add("*", shared, b.add("+", shared, b.add("*", shared, a)))))
    for size in (3, 4, 5):
        b = Builder()
        leaves = [b.var(value()) for _ in range(2)]
        cases.append(single_run(b, shared_graph(b, leaves, size)))
    for size in (3, 5):  # back-propagating several times without zeroing adds up, as in fit
        b = Builder()
        leaves = [b.var(value()) for _ in range(2)]
        root = shared_graph(b, leaves, size)
        moved = RNG.choice(leaves)[1]
        # compute_gradient() with no argument at least twice: it must not zero anything itself
        runs = [([(moved, value())], up) for up in (None, None, upstream())[:RNG.randint(2, 3)]]
        cases.append((b.root(root), runs))
    check_backprop(ask, cases, "compute_gradient on an expression with shared nodes")


def check_operator(kind, child_names):
    def check(ask):
        cases = []
        for case in range(6):
            b = Builder()
            leaves = [b.var(0.0 if case == 0 else value()) for _ in range(2)]

            def child(denominator=False):
                while True:
                    pick = RNG.random()
                    if pick < 0.5:
                        ref = RNG.choice(leaves)
                    elif pick < 0.7:
                        ref = value(avoid_zero=denominator)
                    else:
                        ref = random_tree(b, leaves, RNG.randint(1, 2), ["+", "*"], constants=False)
                    shown = Graph(b.nodes + [["+", ref, 0]]).values()[-1]
                    if not denominator or abs(shown) >= 0.25:
                        return ref

            children = [child(denominator=(kind == "/" and k == 1)) for k in range(ARITY[kind])]
            if case == 0 or all(not isinstance(c, list) for c in children):
                children[0] = leaves[0]  # the first case: a first child of value 0
            cases.append(b.root(b.add(kind, *children)))
        payload = [{"nodes": nodes} for nodes in cases]
        for nodes, answer in answers(ask, "partials", cases, payload):
            graph = Graph(nodes)
            where = (f"operator_gradient() of e = {graph.show()} with {graph.shown_values()}"
                     if graph.shown_values() else f"operator_gradient() of e = {graph.show()}")
            case = "\n".join(graph.python() + ["e.eval()", "print(e.operator_gradient())"])
            values = graph.values()
            child_values = [values[a[1]] if isinstance(a, list) else a for a in nodes[-1][1:]]
            compare(field(answer, "partials", where, case), list(local_partials(kind, child_values)),
                    where, [f"{where}: the partial derivative with respect to its {name}"
                            for name in child_names], case, noun="partial derivative(s), one per child")
    return check


def loss_of(b, model):
    """The squared error (vy - model) * (vy - model), as the notebook builds it."""
    y = b.add("y")
    return b.root(b.add("*", b.add("-", y, model), b.add("-", y, model)))


def reference_fit(nodes, points, train, delta, iterations):
    """Gradient descent as Question 3 specifies it; returns (last total loss, graph)."""
    graph = Graph([list(node) for node in nodes])
    x_nodes = [i for i, node in enumerate(nodes) if node[0] == "x"]
    y_nodes = [i for i, node in enumerate(nodes) if node[0] == "y"]
    total = 0.0
    for _ in range(iterations):
        grads = {i: 0.0 for i in train}
        total = 0.0
        for x, y in points:
            graph.leaf.update({i: x for i in x_nodes})
            graph.leaf.update({i: y for i in y_nodes})
            total += graph.values()[-1]
            node_grads = graph.gradients()
            for i in train:
                grads[i] += node_grads[i]
        for i in train:
            graph.leaf[i] = graph.leaf[i] - delta * grads[i]
    return total, graph


def parabola(b, start):
    """a * vx * vx + b * vx + c over new variables a, b, c; returns (model, [a, b, c])."""
    x = b.add("x")
    params = [b.var(v) for v in start]
    model = b.add("+", b.add("+", b.add("*", b.add("*", params[0], x), x),
                             b.add("*", params[1], x)), params[2])
    return model, params


def fit_case(graph, label, points, params, train, delta, iterations):
    """Python that repeats a fit case in the notebook: its variables, its model and loss
    over vx and vy, the call, and what to print."""
    model = [i for i, node in enumerate(graph.nodes) if node[0] == "-"][0]
    shared = {graph.nodes[model][2][1]: "test_model"}
    names = [graph.name(i[1]) for i in params]
    return "\n".join(
        [f"# fit {label}; gradient descent as Question 3 describes it gives the expected values"]
        + graph.python(root="test_loss", shared=shared)
        + [f"test_lv = fit(test_loss, {[tuple(p) for p in points]}, "
           f"[{', '.join(graph.name(i[1]) for i in train)}], delta={delta}, num_iterations={iterations})",
           f"print(test_lv, {', '.join(f'{n}.value' for n in names)})"])


def relation(found, expected, start=None):
    """How a found number relates to the expected one, in words: for a parameter
    (start given), how its move compares with the move it should have made."""
    if start is not None:
        moved, should = found - start, expected - start
        if abs(moved) <= 1e-12 * max(1.0, abs(start)):
            return "did not move"
        if abs(should) > 1e-12:
            for factor, words in ((-1, "moved the wrong way"), (2, "moved twice as far as it should"),
                                  (0.5, "moved half as far as it should")):
                if agrees(moved, factor * should, 1e-6):
                    return words
        return "moved by another amount"
    if abs(found) <= 1e-12:
        return "is 0"
    for factor, words in ((2, "is twice what it should be"), (0.5, "is half what it should be")):
        if agrees(found, factor * expected, 1e-6):
            return words
    return "differs"


def check_fit_cases(ask, cases):
    """cases: [(label, nodes, points, params, train, delta, iterations)], simplest first;
    fit must return the reference's last total loss and leave every parameter where the
    reference does. A rejection describes the first case that fails: what fit returned
    and how each parameter moved, compared with gradient descent as Question 3 describes
    it, and gives the case as code."""
    payload = [{"nodes": n, "points": p, "params": [i[1] for i in ps],
                "train": [i[1] for i in t], "delta": d, "iterations": it}
               for _, n, p, ps, t, d, it in cases]
    tolerance = 1e-7
    for (label, nodes, points, params, train, delta, iterations), answer in answers(
            ask, "train", cases, payload):
        graph = Graph(nodes)
        case = fit_case(graph, label, points, params, train, delta, iterations)
        expected_loss, final = reference_fit(nodes, points, [i[1] for i in train], delta,
                                             iterations)
        found, disagree = compare(
            field(answer, "values", f"fit {label}", case),
            [expected_loss] + [final.leaf[ref[1]] for ref in params],
            f"fit {label}", [f"fit {label}: what fit returned"]
            + [f"fit {label}: the value of {graph.name(ref[1])} afterwards" for ref in params],
            case, rel=tolerance, scales=1.0, first=False,
            noun="values (what fit returned, then each parameter)")
        found_loss = found[0]
        wrong = []
        if 0 in disagree:
            after_step, _ = reference_fit(nodes, points, [i[1] for i in train], delta, iterations + 1)
            how = ("is the total loss after the last step, not before it"
                   if agrees(found_loss, after_step, tolerance, 1.0)
                   else relation(found_loss, expected_loss))
            wrong.append(f"the total loss it returned {how} "
                         f"(expected {expected_loss!r}, found {found_loss!r})")
        for index in disagree[1:] if 0 in disagree else disagree:
            ref, value = params[index - 1], found[index]
            start, should = graph.leaf[ref[1]], final.leaf[ref[1]]
            trained = "" if ref in train else " (not in params)"
            wrong.append(f"{graph.name(ref[1])}{trained} {relation(value, should, start)} "
                         f"(from {start!r}: expected {should!r}, found {value!r})")
        if wrong:
            raise Rejected(f"fit {label}: " + "; ".join(wrong), case)


def random_points(count, low=-3.0, high=3.0):
    xs = RNG.sample([round(low + k * 0.25, 2) for k in range(int((high - low) / 0.25) + 1)], count)
    a, b, c = value(-1, 1), value(-1, 1), value(-2, 2)
    return [[x, round(a * x * x + b * x + c + RNG.uniform(-1, 1), 2)] for x in xs]


def line_case(label, count, iterations):
    """The line w * vx + c from random w, c, fitted to count random points."""
    b = Builder()
    x = b.add("x")
    w, c = b.var(value(-1, 1)), b.var(value(-1, 1))
    nodes = loss_of(b, b.add("+", b.add("*", w, x), c))
    return (label, nodes, random_points(count), [w, c], [w, c],
            round(RNG.uniform(0.01, 0.1), 3), iterations)


def check_fit_trains(ask):
    b = Builder()
    model, params = parabola(b, (0.0, 0.0, 0.0))
    nodes = loss_of(b, model)
    iterations = RNG.randint(120, 200)
    check_fit_cases(ask, [(f"training a parabola from 0 on seven points, {iterations} iterations",
                           nodes, random_points(7), params, params, 0.0004, iterations)])


def check_fit_one_step(ask):
    """One iteration: from one point (the step and the loss returned), then from two and
    three (the gradient summed over the points)."""
    check_fit_cases(ask, [line_case("with one point and one iteration", 1, 1),
                          line_case("with two points and one iteration", 2, 1),
                          line_case("with three points and one iteration", 3, 1)])


def check_fit_arguments(ask):
    """Several iterations from one point, then several points with only some of the
    parameters trained."""
    cases = [line_case("with one point and three iterations", 1, 3)]
    for trained in ("ac", "abc", "b", RNG.choice(["ab", "bc"])):
        b = Builder()
        model, params = parabola(b, (value(-1, 1), value(-1, 1), value(-1, 1)))
        nodes = loss_of(b, model)
        chosen = [params["abc".index(name)] for name in trained]
        iterations = RNG.randint(2, 8)
        points = random_points(RNG.randint(2, 5), -2.0, 2.0)
        cases.append(("training only some of a parabola's parameters, on several points, "
                      "for several iterations", nodes, points, params, chosen,
                      round(RNG.uniform(0.001, 0.01), 4), iterations))
    check_fit_cases(ask, cases)


CHECKS = {
    "compute_gradient_sum": check_one_operator("+", "sum"),
    "compute_gradient_product": check_one_operator("*", "product"),
    "compute_gradient_nested": check_nested,
    "compute_gradient_shared_nodes": check_shared,
    "minus_gradient_correct": check_operator("-", ("left child", "right child")),
    "divide_gradient_correct": check_operator("/", ("numerator", "denominator")),
    "negative_gradient_correct": check_operator("neg", ("child",)),
    "fit_trains_parabola": check_fit_trains,
    "fit_one_exact_step": check_fit_one_step,
    "fit_uses_its_arguments": check_fit_arguments,
}

SETUP = {grade_id: REFERENCE_BACKPROP
         for grade_id in ("fit_trains_parabola", "fit_one_exact_step", "fit_uses_its_arguments")}
