resource "dr_tier" "critical" {
  name  = "critical"
  level = 1
  rto   = "15m"
  rpo   = "1m"
}

resource "dr_failover_policy" "payments" {
  name              = "payments"
  tier              = dr_tier.critical
  strategy          = "active_active"
  primary_region    = "eu-west-1"
  secondary_region  = "eu-central-1"
  recovery_role_arn = "arn:aws:iam::123456789012:role/dr-recovery"
}

# A drill the team ran: the provider judges it against the tier at every plan.
resource "dr_drill" "payments_region_outage" {
  policy       = dr_failover_policy.payments # the whole policy
  scenario     = "region_outage"
  frequency    = "90d"
  executed_at  = "2026-11-02T09:00:00Z"
  observed_rto = "12m"
  observed_rpo = "30s"
}

# A drill the provider runs: it assumes the recovery role in eu-central-1 on create and
# whenever the triggers change (it needs AWS credentials for the dr provider).
resource "dr_drill" "payments_recovery_access" {
  policy   = dr_failover_policy.payments
  scenario = "recovery_access"
  triggers = {
    role = "arn:aws:iam::123456789012:role/dr-recovery"
  }
}

# A CI gate can fail the merge when a drill has failed or fallen due:
#   terraform show -json plan.out > plan.json && drlint check plan.json
output "payments_drill_status" {
  value = dr_drill.payments_region_outage.status # scheduled, overdue, passed or failed
}
