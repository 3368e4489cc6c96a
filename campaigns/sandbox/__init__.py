"""The EngageLab emulator: a small Django app of its own (label `campaigns_sandbox`), served
under `/sandbox/engagelab/` at the provider's own paths, and only while EngageLab runs on its
sandbox. Nothing in the product imports it.

It follows docs/providers/engagelab.md: Basic auth against this installation's sandbox
credentials (401, code 30000), every documented rule of the create/update body with the
provider's error shape `{"code", "message"}`, the status lifecycle (pending → running at send
time → finished) with 32110 on editing a campaign that has started, tags, senders, templates,
segments and `/v1/stats_day`. While a campaign runs, the simulation (a periodic task) sends it to
a deterministic, seeded audience: deliveries, opens and clicks per recipient domain, A/B
variants that differ; the counters feed `/v1/stats_day` and signed webhook events go to
Switchboard's receiver, resent until it answers 2xx, as EngageLab does.

- `rules.py` — the account's reference data and the contract's rules (body, lifecycle)
- `views.py`, `urls.py` — the HTTP endpoints
- `simulation.py` — the simulated sending and its webhooks; `tasks.py` runs it periodically
- `demo.py` — the demo's campaigns (`manage.py seed_demo`)

Codes the contract documents: 30000, 32110, 32112, 32603. The other 321xx codes are the
sandbox's own, one per rule, always with a message that names the rule.
"""
