"""Kernel-side half of the grader's integrity guard.

grading.execution sends this file's text to every student kernel right after it starts,
before any student code runs. The grader's first check(nonce) records the clean state of what the
test cells rely on; every later check, before and after each instructor cell, puts back
anything that changed and names it, so tampering is both undone and flagged:

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
"""


def install(max_output_chars):
    import abc
    import builtins
    import contextlib
    import json
    import sys
    import types

    shell = get_ipython()  # noqa: F821 (IPython provides it)
    kernel = getattr(shell, "kernel", None)
    modules = ("builtins", "math", "numbers", "random", "operator", "functools",
               "itertools", "collections", "types", "abc", "copy", "json", "re")
    for name in modules:
        __import__(name)
    library_callbacks = ("IPython.", "ipykernel.", "matplotlib", "jupyter_client.", "comm.",
                         "ipywidgets.", "traitlets.")
    number_abcs = [getattr(sys.modules["numbers"], n)
                   for n in ("Number", "Complex", "Real", "Rational", "Integral")]
    # Builtins that IPython itself adds and removes around each execution.
    ipython_builtins = {"exit", "quit", "get_ipython", "display", "__IPYTHON__", "_", "__", "___"}

    def cap_stream(stream):
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
                write(f"\n[output cut by the grader after {max_output_chars} characters]\n")
                return len(text)
            return write(text)

        stream.write = capped_write

    # IPython 9 also copies every print into its history, which a print loop would grow
    # without bound; grading needs no output history.
    shell._tee = lambda channel: contextlib.nullcontext()

    def watched_objects():
        objects = {"shell": shell, "events": shell.events,
                   "input transformer manager": shell.input_transformer_manager,
                   "display hook": shell.displayhook, "display publisher": shell.display_pub,
                   "traceback printer": shell.InteractiveTB, "syntax traceback printer": shell.SyntaxTB,
                   "display formatter": shell.display_formatter, "stdout": sys.stdout,
                   "stderr": sys.stderr}
        if kernel is not None:
            objects.update({"kernel": kernel, "kernel session": kernel.session})
        return objects

    def watched_lists():
        itm = shell.input_transformer_manager
        return {"input transformer (cleanup)": itm.cleanup_transforms,
                "input transformer (line)": itm.line_transforms,
                "input transformer (token)": itm.token_transformers,
                "input transformer (post)": shell.input_transformers_post,
                "AST transformer": shell.ast_transformers,
                "import hook (sys.meta_path)": sys.meta_path,
                "import hook (sys.path_hooks)": sys.path_hooks}

    def watched_attributes():
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

    from IPython.core.interactiveshell import ExecutionInfo, ExecutionResult

    def classes_of(objects):
        seen = [ExecutionResult, ExecutionInfo]  # a patched .success hides every error
        for obj in objects.values():
            for cls in type(obj).__mro__:
                if cls is not object and cls not in seen and not cls.__module__ == "builtins":
                    seen.append(cls)
        return seen

    def method_overrides(obj):
        cls = type(obj)
        return {name: value for name, value in getattr(obj, "__dict__", {}).items()
                if callable(value) and callable(getattr(cls, name, None))}

    clean = {}

    def take_snapshot():
        objects = watched_objects()
        clean.update({
            "attributes": {key: getattr(*where) for key, where in watched_attributes().items()},
            "lists": {label: (lst, list(lst)) for label, lst in watched_lists().items()},
            "overrides": {label: (obj, method_overrides(obj)) for label, obj in objects.items()},
            "classes": {cls: dict(vars(cls)) for cls in classes_of(objects)},
            "modules": {name: (sys.modules[name], dict(vars(sys.modules[name])))
                        for name in modules},
            "events": {name: list(callbacks) for name, callbacks in shell.events.callbacks.items()},
            "abc": {cls: set(abc._get_dump(cls)[0]) for cls in number_abcs},
        })

    def from_student(callback):
        func = getattr(callback, "func", callback)  # functools.partial
        func = getattr(func, "__func__", func)  # bound methods
        module = getattr(func, "__module__", None) or ""
        return not module.startswith(library_callbacks)

    def restore():
        """Puts the clean state back; returns what had to be put back."""
        changes = []
        for (owner, name), value in clean["attributes"].items():
            target, attribute = watched_attributes()[(owner, name)]
            if getattr(target, attribute) is not value:
                setattr(target, attribute, value)
                changes.append(f"{owner}.{name} replaced")
        for label, (lst, items) in clean["lists"].items():
            if len(lst) != len(items) or any(a is not b for a, b in zip(lst, items)):
                lst[:] = items
                changes.append(f"{label} added or changed")
        for label, (obj, overrides) in clean["overrides"].items():
            current = method_overrides(obj)
            for name in set(current) | set(overrides):
                if current.get(name) is not overrides.get(name):
                    if name in overrides:
                        setattr(obj, name, overrides[name])
                    else:
                        delattr(obj, name)
                    changes.append(f"{label}.{name} overridden")
        for cls, namespace in clean["classes"].items():
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
                        pass
                    changes.append(f"{cls.__module__}.{cls.__qualname__}.{name} patched")
        for name, (module, namespace) in clean["modules"].items():
            if sys.modules.get(name) is not module:
                sys.modules[name] = module
                changes.append(f"sys.modules[{name!r}] replaced")
            current = vars(module)
            for key, value in namespace.items():
                if current.get(key) is not value and key not in ipython_builtins:
                    current[key] = value
                    changes.append(f"{name}.{key} patched")
            if module is builtins:
                for key in set(current) - set(namespace) - ipython_builtins:
                    del current[key]
                    changes.append(f"builtins.{key} added")
        for name, callbacks in shell.events.callbacks.items():
            for callback in list(callbacks):
                if callback not in clean["events"].get(name, []) and from_student(callback):
                    callbacks.remove(callback)
                    changes.append(f"{name} event callback {getattr(callback, '__name__', '?')} registered")
        for cls, registered in clean["abc"].items():
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
        if sys.gettrace() is not None:
            sys.settrace(None)
            changes.append("trace function set (sys.settrace)")
        if sys.getprofile() is not None:
            sys.setprofile(None)
            changes.append("profile function set (sys.setprofile)")
        return changes

    def check(nonce):
        """The first call (made by the grader right after install, before any student
        code) records the clean state, in the same context as every later call."""
        try:
            if not clean and max_output_chars > 0:
                # Here, not in install(): inside a cell IPython wraps write() and unwraps
                # it afterwards, which would drop the cap.
                cap_stream(sys.stdout)
                cap_stream(sys.stderr)
            changes = restore() if clean else take_snapshot() or []
        except Exception as error:  # noqa: BLE001 (reported, never raised into a cell)
            changes = [f"the guard could not inspect the kernel: {type(error).__name__}: {error}"]
        return json.dumps({"nonce": nonce, "changes": changes})

    guard = types.ModuleType("_grading_guard")
    guard.check = check
    sys.modules["_grading_guard"] = guard
