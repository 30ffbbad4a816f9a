# The quick start: three DR tiers declared with the dr provider, the tags each one gives the
# resources it covers, how the orders service fails over, and the drill that will prove it. It
# needs no cloud account: without AWS credentials the provider computes everything locally.
#
#   examples/quickstart/run     # builds the provider and drlint, applies this, lints the result

terraform {
  required_providers {
    dr = {
      source = "dr-toolkit/dr"
    }
  }
}

provider "dr" {}

resource "dr_tier" "critical" {
  name            = "critical"
  level           = 1
  rto             = "15m"
  rpo             = "1m"
  description     = "Checkout, payments and orders: customers notice within minutes."
  allowed_regions = ["eu-west-1", "eu-central-1"]
}

resource "dr_tier" "important" {
  name        = "important"
  level       = 2
  rto         = "4h"
  rpo         = "1h"
  description = "Search and recommendations: degraded but recoverable within a working morning."
}

resource "dr_tier" "batch" {
  name  = "batch"
  level = 3
  rto   = "1d"
  rpo   = "1d"
}

# How orders fails over: checked against its tier at plan time (regions inside the tier's
# allowed_regions, a strategy fast enough, replication lag within the RPO).
resource "dr_failover_policy" "orders" {
  name                = "orders"
  tier                = dr_tier.critical
  strategy            = "active_active"
  primary_region      = "eu-west-1"
  secondary_region    = "eu-central-1"
  max_replication_lag = "30s"
}

# A region-outage drill of that policy, not yet run: "scheduled" until it falls due 90 days
# after it was declared (tier 1's default frequency), "overdue" after that. Record a run with
# executed_at, observed_rto and observed_rpo; the next plan says "passed" or "failed".
resource "dr_drill" "orders_region_outage" {
  policy   = dr_failover_policy.orders
  scenario = "region_outage"
}

locals {
  # What an AWS stack would pass to `default_tags` or merge into a resource's `tags`.
  orders_db_tags = merge(dr_tier.critical.tags, {
    service = "orders"
    owner   = "team-checkout"
  })
}

output "orders_db_tags" {
  description = "The tags the orders database gets: its tier's tags merged with its own."
  value       = local.orders_db_tags
}

output "strategies" {
  description = "The cheapest recovery strategy that meets each tier's objectives."
  value = {
    for tier in [dr_tier.critical, dr_tier.important, dr_tier.batch] :
    tier.name => tier.recommended_strategy
  }
}

output "objectives_seconds" {
  description = "Each tier's RTO and RPO in seconds."
  value = {
    for tier in [dr_tier.critical, dr_tier.important, dr_tier.batch] :
    tier.name => { rto = tier.rto_seconds, rpo = tier.rpo_seconds }
  }
}

output "orders_drill" {
  description = "Where the orders drill stands, and when it is due."
  value = {
    status      = dr_drill.orders_region_outage.status
    next_due_at = dr_drill.orders_region_outage.next_due_at
  }
}

output "orders_runbook" {
  description = "The failover and failback runbook of orders, with its regions and objectives filled in."
  value       = dr_failover_policy.orders.runbook
}
