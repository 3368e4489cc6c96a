"""CCAI Platform's outbound dialer, emulated: a small Django app of its own (label
`dialer_sandbox`), served under `/sandbox/ccai/` at the provider's own paths only while CCAI
runs on its sandbox. Nothing in the product imports it.

It keeps campaigns, contacts and import jobs in its own tables and enforces what the contract
documents: Basic auth with the API credential (401 otherwise), `{"message"}` errors, phone
numbers with `+` and a country code in loose formatting (non-numbers and emergency numbers
refused), at most 10 calls a second per customer (429 with Retry-After beyond), an invalid
contact answered in `invalid_contacts` with HTTP 200, imports as asynchronous jobs that fail
whole with `DuplicateContactPhoneOnCampaign` when a phone is already in the campaign. The
simulation moves the contacts of running campaigns through plausible call outcomes, so that
boards change while a campaign runs.

- `rules.py` — phone numbers, the rate limit, contact validation, import jobs
- `views.py`, `urls.py` — the Manager and Apps API endpoints
- `simulation.py` — calls progressing; `tasks.py` runs it periodically
- `demo.py` — the demo's campaigns and contacts

Sandbox conventions (not provider behaviour): a number ending in 0000 is on the do-not-call
list; an import job runs `DIALER_SANDBOX_IMPORT_SECONDS` (default 1) after it was accepted.
"""
