resource "dr_tier" "critical" {
  name            = "critical"
  level           = 1
  rto             = "15m"
  rpo             = "1m"
  allowed_regions = ["eu-west-1", "eu-central-1"]
}

resource "dr_failover_policy" "payments" {
  name                = "payments"
  tier                = dr_tier.critical # the whole tier: its objectives and regions are checked
  strategy            = "active_active"
  primary_region      = "eu-west-1"
  secondary_region    = "eu-central-1"
  mode                = "automatic"
  max_replication_lag = "30s"
  recovery_role_arn   = "arn:aws:iam::123456789012:role/dr-recovery"

  health_check {
    url               = "https://payments.example.com/healthz"
    interval_seconds  = 30
    failure_threshold = 3
  }
}

# The runbook, with the regions, strategy and objectives filled in, for the team's wiki.
output "payments_runbook" {
  value = dr_failover_policy.payments.runbook
}
