"""Code that runs on the student's side of the sandbox: launcher.py starts each kernel
(limits, bubblewrap; standard library only), guard.py is sent into the kernel."""
