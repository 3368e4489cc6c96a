from dashboard.apps import SandboxAppConfig


class EngageLabSandboxConfig(SandboxAppConfig):
    name = "campaigns.sandbox"
    verbose_name = "EngageLab sandbox"
    sandbox_of = "engagelab"
    tick = 5  # due campaigns start and send; webhook events go out
