"""Dialog Insight's emulator: a small Django app of its own (label `contacts_sandbox`) serving
the OFC4 web services at `/sandbox/dialoginsight/webservices/ofc4/{service}.ashx?method={Method}`
only while Dialog Insight runs on its sandbox, in the provider's envelope (HTTP 200,
`Success: false` with `ErrorCode`/`ErrorMessage` for business errors), checking the AuthKey in
the body like the provider. Nothing in the product imports it.

- `rules.py` — the project definition, authentication and call quota, clauses, merge rules
- `views.py`, `urls.py` — the web service methods and their one endpoint
- `simulation.py` — scheduled sendings going out, opens and clicks arriving over time;
  `tasks.py` runs it periodically
- `demo.py`, `bench.py` — the demo's and the benchmark's contacts and mailings

Segments, statistics, history and contact counts use the sandbox's own method names (the
provider's are not public; see `contacts/client.py`).
"""
