"""ast.parse behind one lock (aeviz/ui/astlock.py): the server's threads parse one at a time."""
import ast
import threading

from aeviz.ui import astlock


def test_parses_wait_for_each_other_and_give_the_same_trees():
    astlock.install()
    astlock.install()  # twice: still one wrapper
    assert ast.parse is astlock._parse
    src = "def f(x):\n    return [i * x for i in range(3)]\n"
    assert ast.dump(ast.parse(src)) == ast.dump(astlock._ORIGINAL(src))
    assert ast.literal_eval("{'descr': '<f4', 'shape': (3, 2)}") == {"descr": "<f4", "shape": (3, 2)}

    done = threading.Event()
    other = threading.Thread(target=lambda: (ast.parse(src), done.set()))
    with astlock._LOCK:  # as if this thread were parsing
        other.start()
        assert not done.wait(0.3)  # the other thread's parse waits
    assert done.wait(5)  # and runs once the lock is free
    other.join()
