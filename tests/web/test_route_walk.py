"""Every route of the site, walked with every role and with another owner's ids.

The walk is made from `app.url_map` (all but static files and the JSON API, which has its own tests), so
a new route is covered as soon as it exists. Two small tables say what the walk cannot guess: which
roles each blueprint serves (ROLES), and what each path argument names (ARGUMENTS). A route whose
blueprint or argument is in neither table fails the walk until it is added there.

For each role the walk expects:
- a role the route is not for: a login redirect for anonymous GETs, else 403 (or 404), and nothing changed;
- the route's own role with the ids of another owner's objects (the other seller's request and quote,
  the other insurer's request, endpoint and key, ...), alone or mixed with its own: 403 or 404, and
  nothing changed;
- ids that exist nowhere, small or beyond any database integer: 404;
- its own ids: the page answers (at least one of its own objects opens it);
- never a 5xx. POSTs carry a valid CSRF token and a form that would change something if let through.
"""

from __future__ import annotations

import io
import itertools
from dataclasses import dataclass, field
from datetime import timedelta
from decimal import Decimal

import pytest
from flask import url_for
from sqlalchemy import select
from werkzeug.routing import IntegerConverter

from accelerator import clock
from accelerator.extensions import db as _db
from accelerator.models import ApiKey, ClaimCaseEvidence, WebhookEndpoint
from accelerator.services import certificates, claim_cases, confirmations, uploads
from accelerator.services.audit import Actor
from tests import factories
from tests.conftest import csrf_token, login_as
from tests.factories import TODAY

PUBLIC = frozenset({"anonymous", "seller", "insurer", "admin"})
ROLE_NAMES = ("anonymous", "seller", "insurer", "admin")

# Which roles a route is for, by endpoint (exact) or blueprint prefix (ending in ".").
ROLES: dict[str, frozenset[str]] = {
    "public.": PUBLIC,
    "auth.": PUBLIC,
    "verify.": PUBLIC,  # a certificate's verification link: anyone, without logging in
    "healthz": PUBLIC,
    "admin.": frozenset({"admin"}),
    "insurers.": frozenset({"insurer"}),
    "sellers.": frozenset({"seller"}),
    "documents.": frozenset({"seller", "admin"}),
    "admin_reports.": frozenset({"admin"}),
    "admin_sellers.": frozenset({"admin"}),
    "admin_claims.": frozenset({"admin"}),
    "insurer_claims.": frozenset({"insurer"}),
    "insurer_confirmations.": frozenset({"insurer"}),
    "insurer_reports.": frozenset({"insurer"}),  # a seller's own uploads; admins see all
}

# What a path argument names: a kind of object of the walk's data (below).
ARGUMENTS: dict[str, str] = {
    "insurer_id": "insurer",
    "policy_id": "policy",
    "request_id": "quote_request",
    "quote_id": "quote",
    "endpoint_id": "webhook_endpoint",
    "prefix": "api_key",
    "token": "token",
    "number": "certificate_number",
    "seller_id": "seller",
    "case_id": "claim_case",
    "evidence_id": "claim_evidence",
    "confirmation_id": "confirmation",
}

# Ids that name nothing: small, and past any database integer (must be a 404, not an overflow).
MISSING = {"int": (999_999, 10**20), "str": ("acc_missing0", "no-such-token")}

PDF = (b"%PDF-1.4\n1 0 obj\n<< /Type /Catalog >>\nendobj\nxref\n0 1\n0000000000 65535 f \n"
       b"trailer\n<< /Root 1 0 R >>\nstartxref\n58\n%%EOF\n")

# A form that would change something on any of the site's POST routes, if a guard let it through.
ANY_FORM = {
    "reason": "Walked in by a route test.", "url": "https://93.184.216.34/hook", "name": "Walker key",
    "annual_premium": "999.00", "per_occurrence_limit": "1000000", "aggregate_limit": "2000000", "deductible": "0",
    "valid_until": (TODAY + timedelta(days=10)).isoformat(), "occurrence_based": "y", "additional_insured": "y",
    "legal_name": "Walker LLC", "naic_code": "54321", "am_best_rating": "A", "licensed_states": ["CA"],
    "categories": ["toys"], "email": "walker@example.com", "approve": "y", "policy_prefix": "WALK",
    "password": "a long enough password", "confirm": "a long enough password", "state": "CA",
    "annual_revenue": "250000", "desired_start_date": (TODAY + timedelta(days=14)).isoformat(),
    "monthly_gross_sales": "20000", "top_products": "Blocks", "claims_last_3_years": "0",
    "states_shipped": ["CA"], "policy_number": "WALK-1", "effective_date": TODAY.isoformat(),
    "expiration_date": (TODAY + timedelta(days=365)).isoformat(), "insurer_name": "Walker Casualty",
    "insurer_naic_code": "12345", "insurer_rating": "A", "seller_id": "WALKER0001",
}


def roles_for(endpoint: str) -> frozenset[str]:
    """The roles a route is for, from ROLES (the exact endpoint first, then its blueprint)."""
    if endpoint in ROLES:
        return ROLES[endpoint]
    blueprint = endpoint.split(".", 1)[0] + "."
    if blueprint in ROLES:
        return ROLES[blueprint]
    raise AssertionError(f"The route walk does not know who {endpoint} is for: add it to ROLES in {__file__}.")


def walked_rules(app):
    """Every rule of the site but static files, the JSON API and /metrics (for no role: a token's holder,
    a 404 to everyone else; tests/web/test_metrics_endpoint.py)."""
    return sorted((r for r in app.url_map.iter_rules()
                   if r.endpoint not in ("static", "metrics.scrape_metrics") and not r.rule.startswith("/api/")),
                  key=lambda r: r.rule)


@dataclass
class Side:
    """One owner's world: a seller and an insurer with their users and objects."""

    seller_user: object = None
    insurer_user: object = None
    objects: dict[str, dict[str, list]] = field(default_factory=dict)  # role -> kind -> ids (or key prefixes)


@dataclass
class World:
    """Two sides, A (whose users walk) and B (whose ids they must not reach), and an admin."""

    a: Side
    b: Side
    admin: object


def _side(tag: str) -> Side:
    """A seller with a request routed to its insurer, a quote, a policy and a stored upload; the insurer's
    endpoint and key."""
    insurer = factories.make_insurer(name=f"Walk Mutual {tag}")
    seller_user = factories.make_seller_user()
    seller_id = seller_user.seller_id
    insurer_user = factories.make_insurer_user(insurer=insurer)
    request = factories.make_quote_request(seller_id=seller_id, routed_to=[insurer], legal_name=f"Walk {tag} LLC")
    quote = factories.make_quote(request, insurer)
    policy = factories.make_policy(insurer=insurer, seller_id=seller_id, source="marketplace")
    certificates.certificate(seller_id, policy.id)  # its certificate number 1
    upload = uploads.upload_policy(
        Actor(f"seller {seller_id}"), seller_id,
        uploads.UploadedPolicy(policy_number=f"UP-{tag}", effective_date=TODAY - timedelta(days=5),
                               expiration_date=TODAY + timedelta(days=360),
                               per_occurrence_limit=Decimal("1000000.00"), aggregate_limit=Decimal("2000000.00"),
                               deductible=Decimal("1000.00"), occurrence_based=True, additional_insured=True,
                               insurer_name="Outside Casualty", insurer_naic_code="31742", insurer_rating="A"),
        io.BytesIO(PDF))
    # An upload naming the side's own insurer: put to it for confirmation.
    confirmed = uploads.upload_policy(
        Actor(f"seller {seller_id}"), seller_id,
        uploads.UploadedPolicy(policy_number=f"UPC-{tag}", effective_date=TODAY - timedelta(days=5),
                               expiration_date=TODAY + timedelta(days=360),
                               per_occurrence_limit=Decimal("1000000.00"), aggregate_limit=Decimal("2000000.00"),
                               deductible=Decimal("1000.00"), occurrence_based=True, additional_insured=True,
                               insurer_id=insurer.id),
        io.BytesIO(PDF))
    confirmation = confirmations.of_policy(confirmed.id).id
    endpoint = WebhookEndpoint(insurer_id=insurer.id, url=f"https://93.184.216.34/{tag}", secret="whsec_walk",
                               active=True)
    _db.session.add(endpoint)
    _db.session.commit()
    factories.make_api_key(insurer=insurer, name=f"Key {tag}")
    prefix = _db.session.execute(select(ApiKey.prefix).where(ApiKey.insurer_id == insurer.id)).scalar_one()
    case = claim_cases.open_case(Actor("walk"), None, claim_cases.CaseInput(
        case_id=f"WALK-CASE-{tag}", seller_id=seller_id, kind="property_damage", incident_date=TODAY,
        amount_claimed=Decimal("2500.00"), category=None, order_id=None, description="Walked.",
        respond_by=None))[0]
    # A file of evidence on the case (as a seller's dispute leaves one), its bytes stored as uploads are.
    evidence = ClaimCaseEvidence(claim_case_id=case.case.id, added_by="seller", file_name="walk.pdf",
                                 content_type="application/pdf", size=len(PDF), sha256=f"{tag:0>64}",
                                 added_at=clock.now(), stored_name=uploads.store_bytes(PDF, "pdf").name)
    _db.session.add(evidence)
    _db.session.commit()
    case = case.case.case_id
    side = Side(seller_user=seller_user, insurer_user=insurer_user)
    # What each role owns of this side: the seller its request, quote, policies and upload; the insurer the
    # request routed to it, its quote, its policy, endpoint and key. Insurers are public (their id is no
    # secret), so they are nobody's to hide.
    side.objects = {
        "seller": {"quote_request": [request.id], "quote": [quote.id], "policy": [policy.id, upload.id],
                   "claim_case": [case], "claim_evidence": [evidence.id]},
        "insurer": {"quote_request": [request.id], "quote": [quote.id], "policy": [policy.id],
                    "webhook_endpoint": [endpoint.id], "api_key": [prefix], "claim_case": [case],
                    "claim_evidence": [evidence.id], "confirmation": [confirmation]},
        "admin": {"quote_request": [request.id], "quote": [quote.id], "policy": [policy.id, upload.id],
                  "webhook_endpoint": [endpoint.id], "api_key": [prefix], "insurer": [insurer.id],
                  "seller": [seller_id], "claim_case": [case], "claim_evidence": [evidence.id],
                  "confirmation": [confirmation]},
    }
    return side


@pytest.fixture()
def world(db) -> World:
    """Two owners' worlds and an admin."""
    a = _side("A")
    b = _side("B")
    admin = factories.make_user(role="admin", email="walker.admin@example.com")
    return World(a=a, b=b, admin=admin)


def _client(app, world: World, role: str):
    """A test client logged in as side A's user of `role` (or nobody)."""
    client = app.test_client()
    user = {"seller": world.a.seller_user, "insurer": world.a.insurer_user, "admin": world.admin}.get(role)
    if user is not None:
        login_as(client, user)
    return client


def _snapshot() -> dict:
    """Every row of every table: a POST that must change nothing is compared before and after."""
    _db.session.expire_all()
    state = {}
    for table in _db.metadata.sorted_tables:
        rows = _db.session.execute(select(table).order_by(*table.primary_key.columns)).all()
        state[table.name] = [tuple(row) for row in rows]
    _db.session.rollback()
    return state


def _kind(rule, name: str) -> str:
    """What the argument names, from ARGUMENTS (a new argument fails the walk until taught)."""
    if name not in ARGUMENTS:
        raise AssertionError(f"The route walk does not know what <{name}> of {rule.rule} names: "
                             f"add it to ARGUMENTS in {__file__}.")
    return ARGUMENTS[name]


def _is_int(rule, name: str) -> bool:
    """Whether the argument is an <int:...> in the route."""
    return isinstance(rule._converters[name], IntegerConverter)


def _values(world: World, side: Side, role: str, kind: str) -> list:
    """Ids of `kind` that `role` on `side` owns (an admin owns everything of both sides)."""
    if kind == "token":
        return []
    if kind == "certificate_number":
        # A certificate's number counts within its policy (every policy's first is 1): the policy is what is
        # owned and checked, so the other side has no numbers of its own to try.
        return [1] if side is world.a else []
    if role == "admin":
        return world.a.objects["admin"].get(kind, []) + world.b.objects["admin"].get(kind, [])
    return side.objects.get(role, {}).get(kind, [])


def _any_values(world: World, kind: str) -> list:
    """Ids of `kind` that exist, for roles that must be refused whatever the id."""
    return world.a.objects["admin"].get(kind, [])


def _url(app, endpoint: str, values: dict) -> str:
    """The route's URL with these values."""
    with app.test_request_context():
        return url_for(endpoint, **values)


def _combinations(rule, choices: dict[str, list]) -> list[dict]:
    """Every assignment of the route's arguments from `choices`."""
    names = sorted(rule.arguments)
    return [dict(zip(names, combo, strict=True)) for combo in itertools.product(*(choices[n] for n in names))]


@dataclass
class Walk:
    """The requests made and what went wrong, reported together at the end."""

    problems: list[str] = field(default_factory=list)
    requests: int = 0

    def check(self, ok: bool, what: str) -> None:
        """Note a problem unless `ok`."""
        if not ok:
            self.problems.append(what)


def _request(client, method: str, url: str, token: str):
    """GET the URL, or POST it the form that would change something (with a valid CSRF token)."""
    if method == "GET":
        return client.get(url)
    return client.post(url, data={**ANY_FORM, "csrf_token": token})


def _refused(response, role: str, method: str) -> bool:
    """Whether the answer refuses: a login redirect for anonymous GETs, else 403 or 404."""
    if role == "anonymous" and method == "GET":
        return response.status_code == 302 and response.headers["Location"].startswith("/login")
    return response.status_code in (403, 404)


@pytest.mark.parametrize("role", ROLE_NAMES)
def test_every_route_with_every_role_and_another_owners_ids(app, world, role):
    client = _client(app, world, role)
    token = csrf_token(client, "/login" if role == "anonymous" else "/")
    walk = Walk()
    before = _snapshot()
    own_gets: list[tuple] = []

    for rule in walked_rules(app):
        allowed = role in roles_for(rule.endpoint)
        public = roles_for(rule.endpoint) == PUBLIC
        methods = sorted((rule.methods or set()) - {"HEAD", "OPTIONS"})
        kinds = {name: _kind(rule, name) for name in rule.arguments}

        # Requests that must be refused (and change nothing), or must find nothing.
        cases: list[tuple[dict, str]] = []
        if not allowed:
            choices = {n: (_any_values(world, k) or [MISSING["int" if _is_int(rule, n) else "str"][0]])[:1]
                       for n, k in kinds.items()}
            cases += [(values, "a role it is not for") for values in _combinations(rule, choices)]
        elif not public:
            mine = {n: _values(world, world.a, role, k) for n, k in kinds.items()}
            theirs = {n: _values(world, world.b, role, k) for n, k in kinds.items()}
            if role != "admin":
                for name in kinds:
                    if not theirs[name]:
                        continue  # nothing of this kind is owned (e.g. insurers are public)
                    mixed = {**mine, name: theirs[name]}
                    cases += [(values, f"another owner's {name}") for values in _combinations(rule, mixed)]
            for name in kinds:
                missing = MISSING["int" if _is_int(rule, name) else "str"]
                absent = {**{n: v[:1] for n, v in mine.items()}, name: list(missing)}
                if all(absent.values()):
                    cases += [(values, f"a {name} that does not exist") for values in _combinations(rule, absent)]
            if all(mine.values()) or not kinds:
                own_gets.append((rule, _combinations(rule, mine) if kinds else [{}]))
        else:
            for name in kinds:
                missing = MISSING["int" if _is_int(rule, name) else "str"]
                cases += [({name: value}, "a public page with an unknown id") for value in missing]
            if not kinds:
                own_gets.append((rule, [{}]))

        for values, why in cases:
            url = _url(app, rule.endpoint, values)
            for method in methods:
                response = _request(client, method, url, token)
                walk.requests += 1
                where = f"{role} {method} {url} ({rule.endpoint}, {why}): {response.status_code}"
                walk.check(response.status_code < 500, f"server error: {where}")
                if public:
                    walk.check(response.status_code in (400, 404), f"expected 404: {where}")
                    continue
                # An id past the converter's bound matches no rule: werkzeug answers 404, or 405 where a rule
                # of the same shape takes the other method. Either way nothing is reached.
                beyond = any(v == MISSING["int"][1] for v in values.values())
                walk.check(_refused(response, role, method) or (beyond and response.status_code == 405),
                           f"expected refusal: {where}")
                if method == "POST":
                    after = _snapshot()
                    changed = sorted(t for t in before if before[t] != after[t])
                    walk.check(not changed, f"changed {changed}: {where}")
                    before = after

    # The routes open with the role's own objects (so the refusals above are about ownership).
    for rule, combos in own_gets:
        if "GET" not in (rule.methods or set()):
            continue
        statuses = []
        for values in combos:
            response = client.get(_url(app, rule.endpoint, values))
            walk.requests += 1
            statuses.append(response.status_code)
            walk.check(response.status_code < 500, f"server error: {role} GET {rule.rule} {values}")
        walk.check(any(s in (200, 302) for s in statuses),
                   f"{role} could not open {rule.endpoint} with its own objects: {statuses}")

    assert walk.requests > 20
    assert not walk.problems, "\n".join(walk.problems)


def test_the_tables_name_every_blueprint_and_argument_of_the_site(app):
    """A new blueprint or path argument must be taught to the walk before it can pass."""
    for rule in walked_rules(app):
        roles_for(rule.endpoint)
        for name in rule.arguments:
            _kind(rule, name)
