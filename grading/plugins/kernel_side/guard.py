"""Kernel-side half of the grader's integrity guard.

grading.plugins.execution sends this file's text to every student kernel right after it starts,
before any student code runs; the kernel runs it as its own module, _grading_guard (not in
the notebook's namespace), and calls install(). The grader's first check(nonce) records the
clean state of what the test cells rely on; every later check, before and after each
instructor cell, puts back anything that changed and names it, so tampering is both undone
and flagged:

- IPython's input transformers (all three stages) and AST transformers;
- custom exception handlers, the traceback printers, display hooks, sys.excepthook;
- methods overridden on the shell, the kernel, its session and output streams, or
  patched into their classes (a patched send() could turn failures into passes);
- event callbacks defined by student code (pre_run_cell and friends);
- trace and profile functions (a tracer can jump over assert lines);
- builtins, and the standard modules the hidden tests use (math, numbers, random, ...),
  including their sys.modules entries, import hooks and numbers' ABC registrations.

It also caps what one cell can print, at the source, and keeps IPython from copying
all output into its history. Nothing here writes to stdout or
stderr: a test cell that wrote to stderr would lose its points.

Standard library and IPython only: the same text is imported normally by the unit tests
(tests/test_kernel_guard.py).
"""
import abc
import builtins
import contextlib
import json
import numbers
import sys

from IPython.core.interactiveshell import ExecutionInfo, ExecutionResult

WATCHED_MODULES = ("builtins", "math", "numbers", "random", "operator", "functools",
                   "itertools", "collections", "types", "abc", "copy", "json", "re")
# Event callbacks from these packages are the kernel's own, not the student's.
LIBRARY_CALLBACKS = ("IPython.", "ipykernel.", "matplotlib", "jupyter_client.", "comm.",
                     "ipywidgets.", "traitlets.")
NUMBER_ABCS = (numbers.Number, numbers.Complex, numbers.Real, numbers.Rational,
               numbers.Integral)
# Builtins that IPython itself adds and removes around each execution.
IPYTHON_BUILTINS = frozenset({"exit", "quit", "get_ipython", "display", "__IPYTHON__",
                              "_", "__", "___"})
CUT_NOTE = "\n[output cut by the grader after {} characters]\n"

# The guard's state: what install() was given, and the clean snapshot the first check()
# takes. Kept here, in the module, so the notebook's namespace holds none of it.
_installed = {}
_clean = {}


def install(shell, max_output_chars):
    """Gets the guard ready on this shell. The clean state is recorded by the first
    check(), which the grader makes right after, before any student code runs."""
    for name in WATCHED_MODULES:
        __import__(name)
    _installed.clear()
    _installed.update(shell=shell, kernel=getattr(shell, "kernel", None),
                      max_output_chars=max_output_chars)
    _clean.clear()
    # IPython 9 also copies every print into its history, which a print loop would grow
    # without bound; grading needs no output history.
    shell._tee = lambda channel: contextlib.nullcontext()


def check(nonce):
    """The grader's question: returns JSON {"nonce": nonce, "changes": [...]}. The first
    call records the clean state, in the same context as every later call; later calls
    undo and list whatever changed since. Never raises."""
    try:
        shell, limit = _installed["shell"], _installed["max_output_chars"]
        if not _clean and limit > 0:
            # Here, not in install(): inside a cell IPython wraps write() and unwraps
            # it afterwards, which would drop the cap.
            cap_stream(sys.stdout, shell, limit)
            cap_stream(sys.stderr, shell, limit)
        if _clean:
            changes = restore(_clean, shell)
        else:
            _clean.update(take_snapshot(shell, _installed["kernel"]))
            changes = []
    except Exception as error:  # noqa: BLE001 (reported, never raised into a cell)
        changes = [f"the guard could not inspect the kernel: {type(error).__name__}: {error}"]
    return json.dumps({"nonce": nonce, "changes": changes})


def cap_stream(stream, shell, max_output_chars):
    """Makes the stream keep at most max_output_chars per cell (per execution count),
    then one note saying the rest was cut."""
    write = stream.write
    used = {"cell": None, "chars": 0}

    def capped_write(text):
        if used["cell"] != shell.execution_count:
            used.update(cell=shell.execution_count, chars=0)
        room = max_output_chars - used["chars"]
        used["chars"] += len(text)
        if room <= 0:
            return len(text)
        if len(text) > room:
            write(text[:room])
            write(CUT_NOTE.format(max_output_chars))
            return len(text)
        return write(text)

    stream.write = capped_write


# -- what is watched ------------------------------------------------------------------

def watched_objects(shell, kernel):
    """The objects whose methods must not be overridden, by label."""
    objects = {"shell": shell, "events": shell.events,
               "input transformer manager": shell.input_transformer_manager,
               "display hook": shell.displayhook, "display publisher": shell.display_pub,
               "traceback printer": shell.InteractiveTB, "syntax traceback printer": shell.SyntaxTB,
               "display formatter": shell.display_formatter, "stdout": sys.stdout,
               "stderr": sys.stderr}
    if kernel is not None:
        objects.update({"kernel": kernel, "kernel session": kernel.session})
    return objects


def watched_lists(shell):
    """The lists (transformers, import hooks) that must keep the same items, by label."""
    itm = shell.input_transformer_manager
    return {"input transformer (cleanup)": itm.cleanup_transforms,
            "input transformer (line)": itm.line_transforms,
            "input transformer (token)": itm.token_transformers,
            "input transformer (post)": shell.input_transformers_post,
            "AST transformer": shell.ast_transformers,
            "import hook (sys.meta_path)": sys.meta_path,
            "import hook (sys.path_hooks)": sys.path_hooks}


def watched_attributes(shell):
    """The attributes that must keep the same object: (owner label, name) -> (owner, name)."""
    return {("shell", "custom_exceptions"): (shell, "custom_exceptions"),
            ("shell", "input_transformer_manager"): (shell, "input_transformer_manager"),
            ("shell", "ast_transformers"): (shell, "ast_transformers"),
            ("shell", "input_transformers_post"): (shell, "input_transformers_post"),
            ("shell", "displayhook"): (shell, "displayhook"),
            ("shell", "display_pub"): (shell, "display_pub"),
            ("shell", "InteractiveTB"): (shell, "InteractiveTB"),
            ("shell", "events"): (shell, "events"),
            ("sys", "excepthook"): (sys, "excepthook"),
            ("sys", "displayhook"): (sys, "displayhook"),
            ("sys", "stdout"): (sys, "stdout"),
            ("sys", "stderr"): (sys, "stderr")}


def classes_of(objects):
    """The classes of the watched objects (and their bases), whose methods must not be
    patched, plus IPython's ExecutionResult and ExecutionInfo."""
    seen = [ExecutionResult, ExecutionInfo]  # a patched .success hides every error
    for obj in objects.values():
        for cls in type(obj).__mro__:
            if cls is not object and cls not in seen and not cls.__module__ == "builtins":
                seen.append(cls)
    return seen


def method_overrides(obj):
    """The instance attributes of obj that hide a method of its class."""
    cls = type(obj)
    return {name: value for name, value in getattr(obj, "__dict__", {}).items()
            if callable(value) and callable(getattr(cls, name, None))}


def from_student(callback):
    """Whether an event callback comes from anywhere but IPython and its kin."""
    func = getattr(callback, "func", callback)  # functools.partial
    func = getattr(func, "__func__", func)  # bound methods
    module = getattr(func, "__module__", None) or ""
    return not module.startswith(LIBRARY_CALLBACKS)


def take_snapshot(shell, kernel):
    """Everything watched, as it is now: the clean state later checks go back to."""
    objects = watched_objects(shell, kernel)
    return {
        "attributes": {key: getattr(*where) for key, where in watched_attributes(shell).items()},
        "lists": {label: (lst, list(lst)) for label, lst in watched_lists(shell).items()},
        "overrides": {label: (obj, method_overrides(obj)) for label, obj in objects.items()},
        "classes": {cls: dict(vars(cls)) for cls in classes_of(objects)},
        "modules": {name: (sys.modules[name], dict(vars(sys.modules[name])))
                    for name in WATCHED_MODULES},
        "events": {name: list(callbacks) for name, callbacks in shell.events.callbacks.items()},
        "abc": {cls: set(abc._get_dump(cls)[0]) for cls in NUMBER_ABCS},
    }


# -- putting the clean state back -------------------------------------------------------

def restore(clean, shell):
    """Puts the clean state back; returns what had to be put back."""
    return (restore_attributes(clean["attributes"], shell)
            + restore_lists(clean["lists"])
            + restore_overrides(clean["overrides"])
            + restore_classes(clean["classes"])
            + restore_modules(clean["modules"])
            + restore_events(clean["events"], shell)
            + restore_number_registrations(clean["abc"])
            + stop_tracing())


def restore_attributes(clean_attributes, shell):
    changes = []
    where = watched_attributes(shell)
    for (owner, name), value in clean_attributes.items():
        target, attribute = where[(owner, name)]
        if getattr(target, attribute) is not value:
            setattr(target, attribute, value)
            changes.append(f"{owner}.{name} replaced")
    return changes


def restore_lists(clean_lists):
    changes = []
    for label, (lst, items) in clean_lists.items():
        if len(lst) != len(items) or any(a is not b for a, b in zip(lst, items)):
            lst[:] = items
            changes.append(f"{label} added or changed")
    return changes


def restore_overrides(clean_overrides):
    changes = []
    for label, (obj, overrides) in clean_overrides.items():
        current = method_overrides(obj)
        for name in set(current) | set(overrides):
            if current.get(name) is not overrides.get(name):
                if name in overrides:
                    setattr(obj, name, overrides[name])
                else:
                    delattr(obj, name)
                changes.append(f"{label}.{name} overridden")
    return changes


def restore_classes(clean_classes):
    changes = []
    for cls, namespace in clean_classes.items():
        current = dict(vars(cls))
        for name in set(current) | set(namespace):
            if name == "__dict__" or name == "__weakref__" or name.startswith("_abc_"):
                continue
            if current.get(name) is not namespace.get(name):
                try:
                    if name in namespace:
                        setattr(cls, name, namespace[name])
                    else:
                        delattr(cls, name)
                except (AttributeError, TypeError):
                    pass  # a built-in type refuses; the change is still reported
                changes.append(f"{cls.__module__}.{cls.__qualname__}.{name} patched")
    return changes


def restore_modules(clean_modules):
    changes = []
    for name, (module, namespace) in clean_modules.items():
        if sys.modules.get(name) is not module:
            sys.modules[name] = module
            changes.append(f"sys.modules[{name!r}] replaced")
        current = vars(module)
        for key, value in namespace.items():
            if current.get(key) is not value and key not in IPYTHON_BUILTINS:
                current[key] = value
                changes.append(f"{name}.{key} patched")
        if module is builtins:
            for key in set(current) - set(namespace) - IPYTHON_BUILTINS:
                del current[key]
                changes.append(f"builtins.{key} added")
    return changes


def restore_events(clean_events, shell):
    """Removes event callbacks added by student code; IPython's own may come and go."""
    changes = []
    for name, callbacks in shell.events.callbacks.items():
        for callback in list(callbacks):
            if callback not in clean_events.get(name, []) and from_student(callback):
                callbacks.remove(callback)
                changes.append(f"{name} event callback {getattr(callback, '__name__', '?')} registered")
    return changes


def restore_number_registrations(clean_abc):
    changes = []
    for cls, registered in clean_abc.items():
        # numpy registers its scalar types when imported: only classes defined in
        # notebook code are suspect (a fake "number" that passes isinstance checks).
        new = set(abc._get_dump(cls)[0]) - registered
        fakes = {ref for ref in new if getattr(ref(), "__module__", None) == "__main__"}
        registered |= new - fakes
        if fakes:
            abc._reset_registry(cls)
            abc._reset_caches(cls)
            for ref in registered:
                if ref() is not None:
                    cls.register(ref())
            changes.append(f"numbers.{cls.__name__} registrations changed")
    return changes


def stop_tracing():
    changes = []
    if sys.gettrace() is not None:
        sys.settrace(None)
        changes.append("trace function set (sys.settrace)")
    if sys.getprofile() is not None:
        sys.setprofile(None)
        changes.append("profile function set (sys.setprofile)")
    return changes
