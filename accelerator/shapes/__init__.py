"""The declarations of the API's shapes, in one top-level package that the API and the services both import.

The GUIDE puts declared shapes in api/; they are here instead because the services write webhook
events and coverage answers that carry the same objects, and services never import the API package.
- values.py: the contract's value rules as reusable pydantic types (money, day, seller ID, ...).
- errors.py: a pydantic ValidationError as the contract's 400, every field's message at once.
- coverage.py: the coverage question (query, batch item, batch body) and `CheckInput`.
- sellers.py: sales, categories and compliance (paths, bodies, the query, the answers).
- quotes.py: quote requests and quotes (query, path, the offer and decline bodies, both answers).
- discovery.py: the category list, the health check and the OpenAPI document's answers.
- claim_cases.py, webhooks.py: claim cases and webhooks (bodies, queries, answers, the event envelope).
- writers.py: `writer(Model)`, an answer written fast from its declaration (the claim case list's hot path).
- policies.py: policies and claims paid (paths, bodies, queries) and the contract's policy object and claim
  object, which every answer carrying them is dumped from (adding an output field to the policy object: see
  its docstring, point 7 of issue 14).
"""
