from dashboard.apps import SandboxAppConfig


class CCAISandboxConfig(SandboxAppConfig):
    name = "dialer.sandbox"
    verbose_name = "CCAI Platform sandbox"
    sandbox_of = "ccai"
    tick = 3  # running campaigns' calls progress; due import jobs run
