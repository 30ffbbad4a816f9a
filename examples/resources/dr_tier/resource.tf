resource "dr_tier" "critical" {
  name            = "critical"
  level           = 1
  rto             = "15m"
  rpo             = "1m"
  description     = "Customer-facing payments and orders"
  allowed_regions = ["eu-west-1", "eu-central-1"]
}

# Mark every AWS resource of a stack with the tier through default_tags ...
provider "aws" {
  region = "eu-west-1"
  default_tags {
    tags = dr_tier.critical.tags # { "dr-tier" = "1", "rto-hours" = "0.25" }
  }
}

# ... or merge the tier's tags into one resource's own.
resource "aws_db_instance" "orders" {
  # ...
  tags = merge(dr_tier.critical.tags, { service = "orders" })
}
