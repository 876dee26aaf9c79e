# SPDX-License-Identifier: BSD-3-Clause
"""Failures become exceptions of the right class carrying the library's one line: the line the
gandyn executable prints on stderr for the same command line, without "gandyn: "."""
import gc
import os
import signal
import threading
import time

import pytest
from conftest import EXAMPLES, cli

import gandyn
from gandyn import errors

GRADPEN = os.path.join(EXAMPLES, "dirac", "notebook", "gan_gradpen.ini")


def cli_error(*args):
    """The executable's status and its one stderr line, without the prefix."""
    status, out, err = cli(*args, check=False)
    lines = err.splitlines()
    assert len(lines) == 1 and lines[0].startswith("gandyn: "), err
    return status, lines[0][len("gandyn: "):]


# (Python call, the same command line, the exception class, the GD_* code)
CASES = {
    "bad_key": (lambda: gandyn.run(model__foo=1), ["run", "/dev/null", "--set", "model.foo=1"], gandyn.UsageError, errors.GD_EUSAGE),
    "bad_value": (lambda: gandyn.eig({"model.gamma": "abc"}), ["eig", "/dev/null", "--set", "model.gamma=abc"], gandyn.UsageError,
                  errors.GD_EUSAGE),
    "bad_name": (lambda: gandyn.rate({"model.name": "nosuch"}), ["rate", "/dev/null", "--set", "model.name=nosuch"], gandyn.UsageError,
                 errors.GD_EUSAGE),
    "missing_config": (lambda: gandyn.portrait("no_such_config.ini"), ["portrait", "no_such_config.ini"], gandyn.UsageError,
                       errors.GD_EUSAGE),
    "unknown_option": (lambda: gandyn.run(threads=2), ["run", "/dev/null", "--threads", "2"], gandyn.UsageError, errors.GD_EUSAGE),
    "critical_without_bracket": (lambda: gandyn.critical(param="integrator.h"), ["critical", "/dev/null", "--param", "integrator.h"],
                                 gandyn.UsageError, errors.GD_EUSAGE),
    "no_equilibrium": (lambda: gandyn.eig({"model.loss": "wgan", "model.reg": "wgan_gp"}),
                       ["eig", "/dev/null", "--set", "model.loss=wgan", "--set", "model.reg=wgan_gp"], gandyn.SolverError,
                       errors.GD_ENOTAVAIL),
    "unwritable_output": (lambda: gandyn.run(out="/proc/no/such/dir/run.h5"), ["run", "/dev/null", "-o", "/proc/no/such/dir/run.h5"],
                          gandyn.FileError, errors.GD_EIO),
}


@pytest.mark.parametrize("case", sorted(CASES))
def test_error(case, scratch):
    call, args, cls, code = CASES[case]
    status, line = cli_error(*args)
    with pytest.raises(cls) as info:
        call()
    mine = str(info.value)
    if case == "bad_name":  # the list of known models also names the games this process registered
        mine, line = mine.split("(", 1)[0], line.split("(", 1)[0]
    assert mine == line and info.value.status == status and info.value.code == code
    assert os.listdir(scratch / "tmp") == []  # the temporary file of a failed command is gone


def test_error_classes():
    """UsageError is a ValueError, SolverError a RuntimeError, FileError an OSError whose str is
    the message, all GandynErrors."""
    assert issubclass(gandyn.UsageError, ValueError) and issubclass(gandyn.SolverError, RuntimeError)
    e = errors.error_for(1, errors.GD_EIO, "cannot write 'x.h5': No space left on device")
    assert isinstance(e, OSError) and isinstance(e, gandyn.GandynError) and str(e) == "cannot write 'x.h5': No space left on device"
    assert isinstance(errors.error_for(2, errors.GD_ENOMEM, "too big"), gandyn.UsageError)
    assert type(errors.error_for(1, errors.GD_ECANCELED, "stop")) is gandyn.CancelledError
    with pytest.raises(TypeError):
        gandyn.run(config=42)
    with pytest.raises(TypeError):
        gandyn.run(model__gamma=object())


def test_warnings_become_python_warnings():
    """Sweep cells CVODE stops early: the sweep succeeds, the library's stderr line is a warning."""
    args = {"integrator.name": "cvode", "integrator.max_steps": 5, "sweep.x": "integrator.t_end:1:10:4"}
    status, out, err = cli("sweep", "/dev/null", *[a for k, v in args.items() for a in ("--set", f"{k}={v}")], "-o", "", "--json")
    assert "stopped early" in err
    with pytest.warns(gandyn.GandynWarning) as caught:
        s = gandyn.sweep(args)
    said = [line[len("gandyn: "):] for line in err.splitlines() if line.startswith("gandyn: ")]  # not progress
    assert [str(w.message) for w in caught] == said and said[0].startswith(f"{s['failed']} cells stopped early")
    assert s["failed"] > 0 and s["failed"] == (s.sweep["solver"] != 0).sum()


def test_temporary_file_lives_with_the_result(scratch):
    r = gandyn.run()
    folder = os.path.dirname(r.path)
    assert os.path.exists(r.path) and folder.startswith(str(scratch / "tmp"))
    del r
    gc.collect()
    assert not os.path.exists(folder)
    assert gandyn.run(out="").path is None and gandyn.eig(out="").data == {}


def test_ctrl_c_cancels_a_sweep_that_resumes(scratch):
    """SIGINT during a sweep from the main thread stops it after its blocks in progress, with a
    checkpoint (CancelledError, the CLI's message); resume=True finishes it into the file an
    uninterrupted sweep writes. Python's own SIGINT handler is back afterwards."""
    config = {"model.reg": "gp", "integrator.steps": 4000, "sweep.x": "integrator.h:0.01:2:500", "sweep.y": "model.gamma:0.1:2:400"}
    out = scratch / "big.h5"
    ckpt = str(out) + ".ckpt"

    def interrupt():  # once the first finished block is in the checkpoint, the sweep is running
        deadline = time.monotonic() + 60
        while time.monotonic() < deadline and not (os.path.exists(ckpt) and os.path.getsize(ckpt) > 4096):
            time.sleep(0.002)
        os.kill(os.getpid(), signal.SIGINT)

    t = threading.Thread(target=interrupt)
    t.start()
    with pytest.raises(gandyn.CancelledError) as info:
        gandyn.sweep(config, out=out, threads=2)
    t.join()
    assert str(info.value).endswith("; rerun with --resume to finish") and info.value.status == 1
    assert signal.getsignal(signal.SIGINT) is signal.default_int_handler
    assert os.path.exists(ckpt) and not os.path.exists(out)
    resumed = gandyn.sweep(config, out=out, threads=2, resume=True)
    whole = gandyn.sweep(config, threads=2)
    assert not os.path.exists(ckpt)
    for name in ("outcome", "predicted", "rho", "rate", "solver"):
        assert (resumed.sweep[name] == whole.sweep[name]).all(), name
