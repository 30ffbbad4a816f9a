# The quick start: three DR tiers declared with the dr provider, and the tags each one gives the
# resources it covers. It needs no cloud account: `dr_tier` is computed locally.
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
