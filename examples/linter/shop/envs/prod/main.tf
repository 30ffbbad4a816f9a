provider "aws" {
  region = "eu-west-1"

  default_tags {
    tags = {
      environment = "prod"
      "dr-tier"   = var.dr_tier
      "rto-hours" = "0.25"
    }
  }
}

variable "dr_tier" {
  type = string
}

variable "recovery_region" {
  type = string
}

module "data" {
  source = "../../modules/data-stores"

  environment      = "prod"
  recovery_region  = var.recovery_region
  aurora_instances = { one = {}, two = { instance_class = "db.r6g.xlarge" } }
}

module "vpc" {
  source  = "terraform-aws-modules/vpc/aws"
  version = "~> 5.0"
  name    = "shop-prod"
}

module "events" {
  source = "git::https://git.example.com/platform/terraform-aws-event-bus.git?ref=v2.1.0"
  name   = "shop-prod-events"
}

resource "dr_tier" "critical" {
  name  = "critical"
  level = 1
  rto   = "15m"
  rpo   = "1m"
}
