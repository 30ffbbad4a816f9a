variable "environment" {
  type = string
}

variable "recovery_region" {
  type    = string
  default = null
}

variable "aurora_instances" {
  type    = map(any)
  default = { one = {} }
}

variable "enable_search" {
  type    = bool
  default = true
}

locals {
  name            = "shop-${var.environment}"
  replica_regions = compact([var.recovery_region])
}

resource "aws_kms_key" "data" {
  description = "${local.name} data"
}

module "orders_db" {
  source = "../aurora"

  name                    = "${local.name}-orders"
  instances               = var.aurora_instances
  backup_retention_period = var.environment == "prod" ? 14 : 1
}

module "orders_db_credentials" {
  source = "../secret"

  name            = "${local.name}/orders-db"
  replica_regions = local.replica_regions
  kms_key_id      = aws_kms_key.data.arn
}

resource "aws_dynamodb_table" "carts" {
  name         = "${local.name}-carts"
  billing_mode = "PAY_PER_REQUEST"
  hash_key     = "id"

  attribute {
    name = "id"
    type = "S"
  }

  point_in_time_recovery {
    enabled = var.environment == "prod"
  }
}

resource "aws_opensearch_domain" "search" {
  count       = var.enable_search ? 1 : 0
  domain_name = "${local.name}-search"

  cluster_config {
    instance_count         = 3
    zone_awareness_enabled = true
  }
}
