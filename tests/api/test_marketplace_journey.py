"""The claims service's whole journey, through the client against the live server."""

from __future__ import annotations

from accelerator.client import AcceleratorClient
from tests import factories
from tests.api.conftest import policy_body


def test_the_claims_services_journey(live_server, insurer, insurer_key, marketplace_key):
    with AcceleratorClient(live_server.url, insurer_key, timeout=30) as carrier, \
            AcceleratorClient(live_server.url, marketplace_key, timeout=30) as market:
        # An insurer reports the policy it issued.
        carrier.report_policy(policy_body(seller_id="journey001", policy_number="JR-1",
                                          per_occurrence_limit="1000000.00", aggregate_limit="1000000.00"))
        # The claims service checks coverage: small claims go to the marketplace, larger to the insurer.
        small = market.check_coverage("JOURNEY001", "2026-06-01", "800.00", "toys")
        large = market.check_coverage("JOURNEY001", "2026-06-01", "2500.00", "toys")
        assert (small["status"], small["route"]) == ("covered", "marketplace")
        assert (large["status"], large["route"], large["covered_amount"]) == ("covered", "insurer", "2500.00")
        assert market.check_coverage("JOURNEY001", "2026-06-01", "800.00", "baby")["route"] == "seller"
        # It records paid claims; the aggregate falls.
        paid = market.record_claim({"claim_id": "J-1", "seller_id": "JOURNEY001", "policy_number": "JR-1",
                                    "incident_date": "2026-06-01", "amount_paid": "999000.00"})
        assert paid["aggregate_remaining"] == "1000.00"
        assert carrier.get_policy("JR-1")["aggregate_remaining"] == "1000.00"
        capped = market.check_coverage("JOURNEY001", "2026-07-01", "2500.00")
        assert (capped["covered_amount"], capped["route"], capped["reasons"][0]["code"]) == (
            "1000.00", "insurer", "limit_below_amount")
        market.record_claim({"claim_id": "J-2", "seller_id": "JOURNEY001", "policy_number": "JR-1",
                             "incident_date": "2026-07-01", "amount_paid": "2500.00"})
        exhausted = market.check_coverage("JOURNEY001", "2026-08-01", "2500.00")
        assert (exhausted["status"], exhausted["route"], exhausted["reasons"][0]["code"]) == (
            "not_covered", "seller", "aggregate_exhausted")
        # Any check replays by its id, as first answered.
        assert market.get_coverage_check(large["check_id"]) == large
        assert market.get_coverage_check(exhausted["check_id"]) == exhausted
        # The insurer sees the claims paid on its policy.
        assert [c["claim_id"] for c in carrier.policy_claims("JR-1")["items"]] == ["J-1", "J-2"]
        # The back office reports sales and reads compliance.
        market.report_sales("JOURNEY001", "2026-05", "25000.00")
        standing = market.compliance("JOURNEY001", on="2026-06-10")
        assert (standing["status"], standing["required_since"], standing["policy"]["policy_number"]) == (
            "compliant", "2026-05", "JR-1")
        factories.make_seller(seller_id="LATE000001")
        market.report_sales("LATE000001", "2026-04", "10000.01")
        assert market.compliance("LATE000001", on="2026-06-10")["status"] == "overdue"
