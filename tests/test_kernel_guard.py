"""The kernel-side guard (grading/plugins/kernel_side/guard.py) on an in-process IPython
shell, no kernel: each test installs it, lets its first check() record the clean state,
tampers with one thing, and expects the next check() to name the change and undo it.
Milliseconds each. The guard against real attacks in live kernels: test_bad_submissions.py.
"""
import abc
import ast
import atexit
import builtins
import contextlib
import io
import json
import math
import numbers
import sys
import types
import warnings

import pytest
from IPython.core.interactiveshell import ExecutionResult, InteractiveShell
from traitlets.config import Config

from grading.plugins.execution import guard_bootstrap
from grading.plugins.kernel_side import guard


class Stream(io.StringIO):
    """Stands for the kernel's sys.stdout or sys.stderr (which take instance attributes)."""


@pytest.fixture(scope="module")
def shell(tmp_path_factory):
    """One in-process shell for the file. Creating it changes sys.modules['__main__'],
    builtins and warning filters, and registers an atexit hook: all put back after."""
    main, builtin_names = sys.modules["__main__"], set(vars(builtins))
    config = Config()
    config.HistoryManager.hist_file = ":memory:"  # no history file, no saving thread
    with pytest.MonkeyPatch.context() as patch, warnings.catch_warnings():
        patch.setenv("IPYTHONDIR", str(tmp_path_factory.mktemp("ipython")))
        shell = InteractiveShell.instance(config=config)
    try:
        yield shell
    finally:
        atexit.unregister(shell.atexit_operations)
        InteractiveShell.clear_instance()
        sys.modules["__main__"] = main
        for name in set(vars(builtins)) - builtin_names:
            delattr(builtins, name)


@pytest.fixture
def start(shell, monkeypatch):
    """start(max_output_chars) installs the guard on fresh output streams, makes the
    grader's first check (the clean snapshot) unless told not to, and returns
    (stdout, stderr). Whatever a test tampers with is put back afterwards, even if the
    guard failed to."""
    lists = [sys.meta_path, sys.path_hooks, shell.ast_transformers, shell.input_transformers_post,
             shell.input_transformer_manager.cleanup_transforms,
             shell.input_transformer_manager.line_transforms,
             shell.input_transformer_manager.token_transformers,
             *shell.events.callbacks.values()]
    saved_lists = [(lst, list(lst)) for lst in lists]
    saved_builtins = dict(vars(builtins))
    saved_shell = dict(vars(shell))
    saved_numbers = {cls: {ref() for ref in abc._get_dump(cls)[0]} for cls in guard.NUMBER_ABCS}
    tracer, profiler = sys.gettrace(), sys.getprofile()
    sys.settrace(None)  # a coverage or debugger tracer would be "tampering"
    sys.setprofile(None)

    def start(max_output_chars=1000, first_check=True):
        streams = Stream(), Stream()
        monkeypatch.setattr(sys, "stdout", streams[0])
        monkeypatch.setattr(sys, "stderr", streams[1])
        guard.install(shell, max_output_chars)
        if first_check:
            assert json.loads(guard.check("first")) == {"nonce": "first", "changes": []}
        return streams

    try:
        yield start
    finally:
        sys.settrace(tracer)
        sys.setprofile(profiler)
        for lst, items in saved_lists:
            lst[:] = items
        for name in set(vars(builtins)) - set(saved_builtins):
            delattr(builtins, name)
        vars(builtins).update(saved_builtins)
        for name in set(vars(shell)) - set(saved_shell):
            delattr(shell, name)
        vars(shell).update(saved_shell)
        for cls, classes in saved_numbers.items():
            if {ref() for ref in abc._get_dump(cls)[0]} != classes:
                abc._reset_registry(cls)
                abc._reset_caches(cls)
                for registered in classes - {None}:
                    cls.register(registered)
        guard._installed.clear()
        guard._clean.clear()


def changes():
    answer = json.loads(guard.check("nonce"))
    assert answer["nonce"] == "nonce"
    return answer["changes"]


def student(function):
    """Makes function look defined in a notebook cell."""
    function.__module__ = "__main__"
    return function


# -- the guard's answer ------------------------------------------------------------------

def test_a_clean_check_reports_nothing_and_echoes_the_nonce(start):
    stdout, stderr = start()
    assert json.loads(guard.check("4f2a")) == {"nonce": "4f2a", "changes": []}
    assert json.loads(guard.check("b7")) == {"nonce": "b7", "changes": []}
    assert stdout.getvalue() == stderr.getvalue() == ""


def test_ipythons_own_builtins_are_ignored(start, shell):
    start()
    with shell.builtin_trap:  # adds get_ipython, exit and quit, as around every cell
        assert changes() == []
    assert changes() == []


def test_a_guard_that_fails_says_so_and_does_not_raise(start, monkeypatch):
    start()

    def broken(clean, shell):
        raise RuntimeError("boom")

    monkeypatch.setattr(guard, "restore", broken)
    assert changes() == ["the guard could not inspect the kernel: RuntimeError: boom"]


def test_nothing_is_written_to_stdout_or_stderr(start, shell, monkeypatch):
    stdout, stderr = start()
    monkeypatch.setitem(vars(builtins), "helper", 1)
    monkeypatch.setattr(math, "isclose", lambda *args, **kwargs: True)
    shell.ast_transformers.append(ast.NodeTransformer())
    assert len(changes()) == 3
    assert stdout.getvalue() == stderr.getvalue() == ""


# -- builtins and modules ------------------------------------------------------------------

def test_builtin_added(start, monkeypatch):
    start()
    monkeypatch.setitem(vars(builtins), "helper", lambda: 42)
    assert changes() == ["builtins.helper added"]
    assert not hasattr(builtins, "helper")


def test_builtin_replaced(start, monkeypatch):
    start()
    original = builtins.abs
    monkeypatch.setattr(builtins, "abs", lambda x: 0)
    assert changes() == ["builtins.abs patched"]
    assert builtins.abs is original


def test_math_function_patched(start, monkeypatch):
    start()
    monkeypatch.setattr(math, "sqrt", lambda x: 2.0)
    assert changes() == ["math.sqrt patched"]
    assert math.sqrt(9) == 3


def test_sys_modules_entry_replaced(start, monkeypatch):
    start()
    monkeypatch.setitem(sys.modules, "math", types.ModuleType("math"))
    assert changes() == ["sys.modules['math'] replaced"]
    assert sys.modules["math"] is math


def test_fake_number_registration_is_undone(start):
    start()

    @student
    class Anything:
        pass

    numbers.Real.register(Anything)
    assert changes() == ["numbers.Real registrations changed"]
    assert not issubclass(Anything, numbers.Real)
    assert issubclass(float, numbers.Real) and issubclass(int, numbers.Real)


def test_library_number_registrations_are_kept(start):
    start()
    scalar = type("float64", (), {"__module__": "numpy"})  # numpy registers its scalars
    numbers.Real.register(scalar)
    assert changes() == []
    assert issubclass(scalar, numbers.Real)


# -- IPython's machinery -------------------------------------------------------------------

def test_ast_transformer_added(start, shell):
    start()
    shell.ast_transformers.append(ast.NodeTransformer())
    assert changes() == ["AST transformer added or changed"]
    assert shell.ast_transformers == []


def test_input_transformer_added(start, shell):
    start()
    before = list(shell.input_transformers_cleanup)
    shell.input_transformers_cleanup.append(student(lambda lines: ["pass\n"]))
    assert changes() == ["input transformer (cleanup) added or changed"]
    assert shell.input_transformers_cleanup == before


def test_student_event_callback_removed(start, shell):
    start()

    @student
    def skip_tests(info):
        pass

    shell.events.register("pre_run_cell", skip_tests)
    assert changes() == ["pre_run_cell event callback skip_tests registered"]
    assert skip_tests not in shell.events.callbacks["pre_run_cell"]


def test_library_event_callback_kept(start, shell):
    start()

    def redraw(info):
        pass

    redraw.__module__ = "matplotlib.pyplot"
    shell.events.register("post_run_cell", redraw)
    assert changes() == []
    assert redraw in shell.events.callbacks["post_run_cell"]


def test_displayhook_replaced(start, shell):
    start()
    original = shell.displayhook
    shell.displayhook = student(lambda result: None)
    assert changes() == ["shell.displayhook replaced"]
    assert shell.displayhook is original


def test_method_overridden_on_the_shell(start, shell):
    start()
    shell.run_cell = student(lambda *args, **kwargs: None)
    assert changes() == ["shell.run_cell overridden"]
    assert "run_cell" not in vars(shell)


def test_class_patched(start, monkeypatch):
    start()
    original = vars(ExecutionResult)["success"]
    monkeypatch.setattr(ExecutionResult, "success", property(lambda self: True))
    assert changes() == ["IPython.core.interactiveshell.ExecutionResult.success patched"]
    assert vars(ExecutionResult)["success"] is original


def test_settrace(start):
    start()
    sys.settrace(lambda frame, event, arg: None)
    assert changes() == ["trace function set (sys.settrace)"]
    assert sys.gettrace() is None


def test_setprofile(start):
    start()
    sys.setprofile(lambda frame, event, arg: None)
    assert changes() == ["profile function set (sys.setprofile)"]
    assert sys.getprofile() is None


# -- output ----------------------------------------------------------------------------------

def test_output_is_capped_per_cell(start, shell, monkeypatch):
    stdout, stderr = start(max_output_chars=10)
    assert sys.stdout.write("x" * 25) == 25
    sys.stdout.write("more")
    sys.stderr.write("e" * 4)
    note = "\n[output cut by the grader after 10 characters]\n"
    assert stdout.getvalue() == "x" * 10 + note
    assert stderr.getvalue() == "e" * 4
    monkeypatch.setattr(shell, "execution_count", shell.execution_count + 1)
    sys.stdout.write("next cell")
    assert stdout.getvalue() == "x" * 10 + note + "next cell"
    assert changes() == []  # the cap is part of the clean state


def test_the_cap_comes_with_the_first_check_not_with_install(start):
    stdout, _ = start(max_output_chars=10, first_check=False)
    assert "write" not in vars(stdout)  # inside a cell, IPython would unwrap it
    guard.check("first")
    sys.stdout.write("y" * 11)
    assert stdout.getvalue().startswith("y" * 10 + "\n[output cut")


def test_no_cap_when_the_limit_is_zero(start):
    stdout, _ = start(max_output_chars=0)
    assert "write" not in vars(stdout)


def test_ipython_keeps_no_copy_of_output(start, shell):
    start()
    assert isinstance(shell._tee("stdout"), contextlib.nullcontext)


# -- how execution.py installs it ------------------------------------------------------------

def test_bootstrap_runs_the_guard_as_its_own_module_leaving_no_names(start, shell):
    start()  # for the fresh streams and the clean-up
    before = dict(shell.user_ns)
    try:
        result = shell.run_cell(guard_bootstrap(1000), silent=True)
        assert result.success, result.error_in_exec or result.error_before_exec
        assert shell.user_ns.keys() == before.keys()
        assert all(shell.user_ns[name] is value for name, value in before.items())
        module = sys.modules["_grading_guard"]
        assert module is not guard and module.check.__module__ == "_grading_guard"
        assert json.loads(module.check("n1")) == {"nonce": "n1", "changes": []}
        builtins.helper = 1
        assert json.loads(module.check("n2")) == {"nonce": "n2", "changes": ["builtins.helper added"]}
    finally:
        sys.modules.pop("_grading_guard", None)
