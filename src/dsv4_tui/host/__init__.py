"""Host I/O: the config folder, files, detection, the probe and the doctor's probes.

Everything that touches this machine lives here; `dsv4_tui.core` stays pure.
"""
