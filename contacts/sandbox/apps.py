from dashboard.apps import SandboxAppConfig


class DialogInsightSandboxConfig(SandboxAppConfig):
    name = "contacts.sandbox"
    verbose_name = "Dialog Insight sandbox"
    sandbox_of = "dialoginsight"
    tick = 30  # scheduled sendings go out when their time comes
